// The toolbar bundles its stylesheets as text (esbuild's "text" loader in scripts/build-ui.mjs)
// and adopts them into its shadow root.
declare module "*.css" {
  const text: string;
  export default text;
}
