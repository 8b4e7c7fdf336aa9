export * from './cities.ts';
export * from './cluster.ts';
export * from './countries.ts';
export * from './gazetteer.ts';
export * from './place.ts';
