// The crash test of the mitigation engine (test/engine/crash.ts) on SQLite.
import { crashSuite } from './crash.js';

crashSuite('sqlite');
