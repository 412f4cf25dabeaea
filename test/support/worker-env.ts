import { perWorker } from './database';

// A setup file: runs in every test file before its tests. The file's stacks, and the processes it starts,
// use this Jest worker's own database and Redis prefix (see database.ts).
const database = new URL(process.env.DATABASE_URL!);
database.pathname = perWorker(database.pathname);
process.env.DATABASE_URL = database.toString();
process.env.QUEUE_PREFIX = perWorker(process.env.QUEUE_PREFIX!);
