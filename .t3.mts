import { findDuplicateCandidates } from './shared/resolution/candidates.ts';

const n = Number(process.argv[2] ?? 30000);
const { entities } = generateEntities(n);
const c0 = process.cpuUsage(); let t = performance.now();
const pairs = findDuplicateCandidates(entities, { defaultCallingCode: '359' });
const c = process.cpuUsage(c0);
console.log('wall', ((performance.now()-t)/1000).toFixed(2), 'cpu', ((c.user+c.system)/1e6).toFixed(2), pairs.length);
console.log("evals", (globalThis as any).ev);
