// Node module hook: `import ... from 'electron'` gets the stand-in beside this file.
const STAND_IN = new URL('./electron.mjs', import.meta.url).href;

export async function resolve(specifier, context, next) {
  return specifier === 'electron' ? { url: STAND_IN, shortCircuit: true } : next(specifier, context);
}
