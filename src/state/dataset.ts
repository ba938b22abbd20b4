// The app builds its tasks with the data library's task builder (src/data/tasks.ts); re-exported here.
export * from '../data/tasks';
