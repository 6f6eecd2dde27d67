import x from './x.js';
