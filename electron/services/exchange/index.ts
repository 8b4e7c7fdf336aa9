export { ExchangeService, type ExchangeServiceOptions } from './exchangeService.ts';
