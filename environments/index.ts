/** The catalog: every environment by name. `npm start` synthesizes each of them. */
import dev from './dev.ts';
import staging from './staging.ts';
import prod from './prod.ts';

export default { dev, staging, prod };
