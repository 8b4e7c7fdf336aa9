import { findDuplicateCandidates } from './shared/resolution/candidates.ts';

const { entities, planted } = generateEntities(100000);
for (const mb of [100, 50, 30]) {
const c0 = process.cpuUsage();
const pairs = findDuplicateCandidates(entities, { defaultCallingCode: '359', maxBlockSize: mb });
const c = process.cpuUsage(c0);
const found = new Set(pairs.map((p) => `${p.a}|${p.b}`));
console.log(mb, 'cpu', ((c.user+c.system)/1e6).toFixed(2), pairs.length, planted.filter(([a,b])=>found.has(`${a}|${b}`)).length, '/', planted.length);
}
