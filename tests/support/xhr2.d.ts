// xhr2 ships no types: it is an XMLHttpRequest for Node, used only to run the browser's Direct Line client in tests.
declare module 'xhr2' {
  const XMLHttpRequest: typeof globalThis.XMLHttpRequest;
  export default XMLHttpRequest;
}
