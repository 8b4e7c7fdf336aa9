export * from './dates.ts';
export * from './extract.ts';
