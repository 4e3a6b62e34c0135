/**
 * The Fastify plugin's options, and their checks at registration: the shared HTTP options (less
 * the request-id ones, which belong to `faultlineServerOptions`), plus the plugin's own.
 */
import {
  checkFormatOptions,
  checkOptions,
  HTTP_RULES,
  type HttpFaultOptions,
  type OptionRules,
  type Reporter,
} from '@faultline/core/adapter';

/** Options of the Faultline Fastify plugin (the shared HTTP options, plus Fastify's own). */
export interface FaultlineFastifyOptions extends Omit<HttpFaultOptions, 'acceptIdVersions' | 'trustedProxies'> {
  /**
   * Where fault records go. Default: through the server's logger (`app.log`) when the application
   * configured one, else Faultline's default reporter, NDJSON on stdout. `false` records nothing
   * (said once on stderr; spans are still annotated).
   */
  readonly reporter?: Reporter | false;
  /** Answer 405 with `Allow` when the path exists for other methods (default true). */
  readonly methodNotAllowed?: boolean;
  /** Install the not-found handler (default true; set false if the application sets its own). */
  readonly notFound?: boolean;
  /**
   * Refuse error handlers that would bypass Faultline's (`setErrorHandler` in any scope after the
   * plugin, or a route's own `errorHandler`) with an error at registration (default false: they
   * are allowed, and named in one warning at start-up).
   */
  readonly strictErrorHandlers?: boolean;
}

/** Options the plugin checks at registration (request ids belong to `faultlineServerOptions`). */
const PLUGIN_RULES: OptionRules = {
  ...HTTP_RULES,
  methodNotAllowed: { kind: 'boolean' },
  notFound: { kind: 'boolean' },
  strictErrorHandlers: { kind: 'boolean' },
  acceptIdVersions: {
    kind: 'custom',
    expected: 'to be given to faultlineServerOptions({ acceptIdVersions }), where Fastify makes request ids',
    test: () => false,
  },
  trustedProxies: {
    kind: 'custom',
    expected: 'to be given to faultlineServerOptions({ trustedProxies }), where Fastify makes request ids',
    test: () => false,
  },
};

/** Options Fastify itself reads from a plugin's options. */
const FASTIFY_REGISTER_OPTIONS = ['prefix', 'logLevel', 'logSerializers'];

/** Throws a clear error for an option the plugin does not take, or takes in another form. */
export function checkPluginOptions(options: FaultlineFastifyOptions): void {
  checkOptions('@faultline/fastify', options, PLUGIN_RULES, FASTIFY_REGISTER_OPTIONS);
  checkFormatOptions('@faultline/fastify', options);
}
