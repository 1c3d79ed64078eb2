import { report } from '../core/methods/report';
import { davHandler } from '../http/dav-handler';

export const handler = davHandler(report);
