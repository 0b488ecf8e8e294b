// Copies Microsoft's Web Chat bundle into dist/vendor for production images, where dev dependencies are not installed.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = dirname(dirname(createRequire(import.meta.url).resolve('botframework-webchat')));
mkdirSync('dist/vendor/botframework-webchat', { recursive: true });
copyFileSync(join(root, 'dist/webchat.js'), 'dist/vendor/botframework-webchat/webchat.js');
