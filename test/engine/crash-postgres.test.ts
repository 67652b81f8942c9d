// The crash test of the mitigation engine (test/engine/crash.ts) on PostgreSQL.
import { crashSuite } from './crash.js';

crashSuite('postgres');
