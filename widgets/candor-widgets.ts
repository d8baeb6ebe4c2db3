// Entry of the single-file bundle (`dist/widgets/candor-widgets.js`): registers every tag and
// exports the classes and the loader for pages that script them.
import './define.ts';
export * from './index.ts';
