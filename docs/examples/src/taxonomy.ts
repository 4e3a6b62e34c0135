import { isCategory, TAXONOMY } from '@faultline/taxonomy';

TAXONOMY.not_found; // { http: 404, grpc: 5, wsClose: 4404, title: 'Not Found', code: 'NOT_FOUND', … }
isCategory('rate_limited'); // true
