/** The widgets' stylesheet, compiled by scripts/build-widgets.ts and inlined as text. */
declare module '*.css' {
  const css: string;
  export default css;
}
