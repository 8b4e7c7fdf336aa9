export * from './dates.ts';
export * from './grading.ts';
export * from './hlc.ts';
export * from './ids.ts';
export * from './markings.ts';
export * from './records.ts';
export * from './schema.ts';
export * from './validate.ts';
