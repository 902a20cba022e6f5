/*
 * stream-ssl: TLS (OpenSSL 3) for "ssl:" and "pssl:" streams.
 *
 * The process has one SSL configuration, shared by every ssl/pssl stream,
 * as in Open vSwitch: a private key, the certificate that goes with it,
 * and a CA certificate that every peer's certificate must chain to.
 * Both sides verify each other (mutual authentication); a peer without a
 * valid certificate fails the connection, with a rate-limited log line
 * that says why.  TLS 1.2 is the minimum version.
 *
 * stream_ssl_set_ca_cert_file(FILE, true) ("bootstrap") is accepted for
 * command-line compatibility; when FILE does not exist yet, it is treated
 * as a configuration error (connections fail) rather than trusting the
 * first peer's certificate as OVS's bootstrap mode would.
 *
 * The files may be set in any order and re-set at any time: the set
 * functions only record names, and the TLS context is rebuilt from all
 * three when a connection next needs it and a name or a file's contents
 * (mtime) changed.  New connections use the newest configuration; open
 * ones keep theirs.  stream_ssl_is_configured() is true when all three
 * files are set and load (the key matching the certificate).
 */
#ifndef PLX_STREAM_SSL_H
#define PLX_STREAM_SSL_H 1

#include <stdbool.h>

bool stream_ssl_is_configured(void);
void stream_ssl_set_private_key_file(const char *file_name);
void stream_ssl_set_certificate_file(const char *file_name);
void stream_ssl_set_ca_cert_file(const char *file_name, bool bootstrap);
/* Convenience: key and certificate at once (either may be NULL to leave
 * it unchanged). */
void stream_ssl_set_key_and_cert(const char *private_key_file,
                                 const char *certificate_file);

/* Command-line options, as in OVS: --private-key, --certificate,
 * --ca-cert, --bootstrap-ca-cert. */
#define STREAM_SSL_OPTION_ENUMS                 \
        OPT_PRIVATE_KEY = 'p',                  \
        OPT_CERTIFICATE = 'c',                  \
        OPT_CA_CERT = 'C',                      \
        OPT_BOOTSTRAP_CA_CERT = 256 + 64

#define STREAM_SSL_LONG_OPTIONS                                     \
        {"private-key", required_argument, NULL, OPT_PRIVATE_KEY},  \
        {"certificate", required_argument, NULL, OPT_CERTIFICATE},  \
        {"ca-cert",     required_argument, NULL, OPT_CA_CERT},      \
        {"bootstrap-ca-cert", required_argument, NULL,              \
         OPT_BOOTSTRAP_CA_CERT}

#define STREAM_SSL_OPTION_HANDLERS                      \
        case OPT_PRIVATE_KEY:                           \
            stream_ssl_set_private_key_file(optarg);    \
            break;                                      \
        case OPT_CERTIFICATE:                           \
            stream_ssl_set_certificate_file(optarg);    \
            break;                                      \
        case OPT_CA_CERT:                               \
            stream_ssl_set_ca_cert_file(optarg, false); \
            break;                                      \
        case OPT_BOOTSTRAP_CA_CERT:                     \
            stream_ssl_set_ca_cert_file(optarg, true);  \
            break;

#endif /* stream-ssl.h */
