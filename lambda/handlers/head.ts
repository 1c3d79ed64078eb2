import { containerApp } from '../app/container';
import { methodHandler } from './routing';

export const handler = methodHandler('HEAD', containerApp);
