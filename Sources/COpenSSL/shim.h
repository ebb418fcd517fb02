// The system's OpenSSL 3 for Swift, plus functions for what OpenSSL exposes only as macros
// (Swift cannot import function-like macros or constants built from shifts).
#ifndef ROSTER_COPENSSL_SHIM_H
#define ROSTER_COPENSSL_SHIM_H

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/crypto.h>
#include <arpa/inet.h>
#include <stdio.h>

static inline int roster_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline int roster_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}
static inline int roster_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}
static inline long roster_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
static inline long roster_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}
static inline int roster_SSL_CTX_set1_groups_list(SSL_CTX *ctx, const char *list) {
    return (int)SSL_CTX_set1_groups_list(ctx, list);
}
static inline size_t roster_BIO_pending(BIO *bio) { return (size_t)BIO_pending(bio); }
static inline long roster_BIO_set_mem_eof_return(BIO *bio, long value) { return BIO_set_mem_eof_return(bio, value); }
static inline void roster_OPENSSL_free(void *pointer) { OPENSSL_free(pointer); }
static inline const ASN1_TIME *roster_X509_get_notAfter(const X509 *cert) { return X509_get0_notAfter(cert); }

/// The SSL_OP_* options Roster sets, which are 64-bit shift constants Swift cannot import.
static inline uint64_t roster_SSL_OP_NO_RENEGOTIATION(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline uint64_t roster_SSL_OP_NO_COMPRESSION(void) { return SSL_OP_NO_COMPRESSION; }
static inline uint64_t roster_SSL_OP_NO_TICKET(void) { return SSL_OP_NO_TICKET; }
static inline uint64_t roster_SSL_OP_CIPHER_SERVER_PREFERENCE(void) { return SSL_OP_CIPHER_SERVER_PREFERENCE; }


// MARK: - ALPN: Roster speaks exactly "roster/1".

static const unsigned char roster_alpn_wire[] = {8, 'r', 'o', 's', 't', 'e', 'r', '/', '1'};

/// Server-side ALPN selection: "roster/1" or a fatal no_application_protocol alert.
static inline int roster_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                     const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl; (void)arg;
    unsigned char *selected = NULL;
    unsigned char selected_length = 0;
    if (SSL_select_next_proto(&selected, &selected_length, roster_alpn_wire, sizeof roster_alpn_wire, in, inlen)
            != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = selected;
    *outlen = selected_length;
    return SSL_TLSEXT_ERR_OK;
}

/// Refuses a ClientHello that offers no ALPN at all (OpenSSL would otherwise skip the selection
/// callback and complete the handshake without a protocol).
static inline int roster_client_hello_requires_alpn(SSL *ssl, int *alert, void *arg) {
    (void)arg;
    const unsigned char *data = NULL;
    size_t length = 0;
    if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_application_layer_protocol_negotiation, &data, &length) != 1) {
        *alert = SSL_AD_NO_APPLICATION_PROTOCOL;
        return SSL_CLIENT_HELLO_ERROR;
    }
    return SSL_CLIENT_HELLO_SUCCESS;
}

static inline void roster_SSL_CTX_require_alpn(SSL_CTX *ctx) {
    SSL_CTX_set_client_hello_cb(ctx, roster_client_hello_requires_alpn, NULL);
    SSL_CTX_set_alpn_select_cb(ctx, roster_alpn_select, NULL);
}

/// Client side: offer "roster/1". Returns 1 on success.
static inline int roster_SSL_CTX_offer_alpn(SSL_CTX *ctx) {
    return SSL_CTX_set_alpn_protos(ctx, roster_alpn_wire, sizeof roster_alpn_wire) == 0;
}

/// Writes the peer certificate's DNS and IP subject alternative names, comma-separated, into
/// `buffer` (always NUL-terminated): "DNS:localhost,IP:127.0.0.1,IP:::1", IPv6 addresses in
/// inet_ntop's canonical form. Returns the number of names.
static inline int roster_copy_subject_alt_names(X509 *cert, char *buffer, int capacity) {
    int count = 0;
    int used = 0;
    if (capacity > 0) buffer[0] = 0;
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    if (names == NULL) return 0;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
        char item[80];
        item[0] = 0;
        if (name->type == GEN_DNS) {
            const unsigned char *data = ASN1_STRING_get0_data(name->d.dNSName);
            int length = ASN1_STRING_length(name->d.dNSName);
            snprintf(item, sizeof item, "DNS:%.*s", length > 70 ? 70 : length, data);
        } else if (name->type == GEN_IPADD && ASN1_STRING_length(name->d.iPAddress) == 4) {
            const unsigned char *ip = ASN1_STRING_get0_data(name->d.iPAddress);
            snprintf(item, sizeof item, "IP:%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
        } else if (name->type == GEN_IPADD && ASN1_STRING_length(name->d.iPAddress) == 16) {
            // inet_ntop's canonical text (RFC 5952): "::1", "2001:db8::7".
            char text[INET6_ADDRSTRLEN];
            if (inet_ntop(AF_INET6, ASN1_STRING_get0_data(name->d.iPAddress), text, sizeof text) == NULL) continue;
            snprintf(item, sizeof item, "IP:%s", text);
        } else {
            continue;
        }
        int written = snprintf(buffer + used, capacity - used, "%s%s", count ? "," : "", item);
        if (written < 0 || written >= capacity - used) break;
        used += written;
        count++;
    }
    GENERAL_NAMES_free(names);
    return count;
}

// MARK: - Self-signed certificates

/// A new ECDSA P-256 key pair, or NULL (reason on the error queue). EVP_EC_gen is a macro over
/// the variadic EVP_PKEY_Q_keygen, which Swift cannot call.
/// A new RSA key of `bits` bits (EVP_RSA_gen is a macro over a variadic call).
static inline EVP_PKEY *roster_generate_rsa_key(unsigned int bits) {
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (ctx == NULL) return NULL;
    if (EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) <= 0
            || EVP_PKEY_generate(ctx, &key) <= 0) {
        key = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return key;
}

/// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) over `message`; `signature` holds at least
/// EVP_PKEY_get_size(key) bytes. Returns the signature's length, or 0 on failure.
static inline size_t roster_sign_rs256(EVP_PKEY *key, const unsigned char *message, size_t length,
                                       unsigned char *signature, size_t capacity) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) return 0;
    size_t written = capacity;
    if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) <= 0
            || EVP_DigestSign(ctx, signature, &written, message, length) <= 0) {
        written = 0;
    }
    EVP_MD_CTX_free(ctx);
    return written;
}

/// Whether `signature` is an RS256 signature of `message` by the public key of `key`.
static inline int roster_verify_rs256(EVP_PKEY *key, const unsigned char *message, size_t length,
                                      const unsigned char *signature, size_t signatureLength) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) return 0;
    int valid = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) > 0
        && EVP_DigestVerify(ctx, signature, signatureLength, message, length) == 1;
    EVP_MD_CTX_free(ctx);
    return valid;
}

static inline EVP_PKEY *roster_generate_p256_key(void) {
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (ctx == NULL) return NULL;
    if (EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_group_name(ctx, "P-256") <= 0
            || EVP_PKEY_generate(ctx, &key) <= 0) {
        key = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return key;
}

#endif
