// cytoscape-svg ships without types; it registers `cy.svg()` (typed in cytoscapeAdapter.ts).
declare module 'cytoscape-svg' {
  import type { Ext } from 'cytoscape';
  const extension: Ext;
  export default extension;
}
