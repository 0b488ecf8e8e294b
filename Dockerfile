# syntax=docker/dockerfile:1
# The assistant as a web service: chat page, Direct Line, Bot Framework (and Telegram when configured).
#   docker build -t osce-kosovo-assistant .
#   docker run --rm -p 3978:3978 osce-kosovo-assistant

# 1. Compile TypeScript, build the light Web Chat bundle into dist/webchat (scripts/build-webchat.mjs, esbuild) and
#    train the engine ahead of time into .cache/model-dist.bin, which the server loads at start instead of training
#    (needs the dev dependencies).
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY content ./content
COPY intents ./intents
RUN npm run build

# 2. Production dependencies only (better-sqlite3 compiles its native part here).
FROM node:20-bookworm-slim AS deps
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force \
 && find node_modules -name '*.map' -delete

# 3. Runtime: compiled code, content and production dependencies, as an unprivileged user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3978 HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The trained model: made from exactly this code and content, so the server starts without training (a model that
# does not match is ignored and the engine trained at start, which takes a few seconds).
COPY --from=build /app/.cache/model-dist.bin ./.cache/model-dist.bin
COPY package.json ./
COPY content ./content
COPY intents ./intents
COPY src/channels/web/public ./src/channels/web/public
COPY src/server/admin ./src/server/admin
# PostgreSQL's versioned migrations (DATABASE_URL), read by node-pg-migrate at start.
COPY src/storage/postgres/migrations ./src/storage/postgres/migrations
# The SQLite database (unanswered questions, ratings, counts): mount a volume here to keep it across containers.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3978) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) shuts the server down gracefully.
CMD ["node", "dist/server/main.js"]
