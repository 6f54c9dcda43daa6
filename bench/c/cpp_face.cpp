// The C++ face for bench.c: nowgg::Client::verify_purchase through the header-only
// wrapper, behind three C functions so that the C benchmark can run it as a contender.
#include <fstream>
#include <sstream>

#include "nowgg_payments.hpp"

extern "C" {

/// A client of `url`, trusting the CA in `ca_file` when not NULL; NULL when it fails.
void *cpp_client_new(const char *key, const char *url, const char *ca_file) {
    try {
        nowgg::ClientOptions options;
        options.api_key = key;
        options.base_url = url;
        if (ca_file != nullptr) {
            std::ifstream in(ca_file);
            std::stringstream pem;
            pem << in.rdbuf();
            options.ca_certs_pem = pem.str();
        }
        return new nowgg::Client(options);
    } catch (...) {
        return nullptr;
    }
}

/// One verify, reading the purchase state as the C contender does: 0 when paid.
int cpp_verify(const void *client, const char *token) {
    try {
        return static_cast<const nowgg::Client *>(client)->verify_purchase(token).is_paid() ? 0 : -1;
    } catch (...) {
        return -1;
    }
}

void cpp_client_free(void *client) { delete static_cast<nowgg::Client *>(client); }
}
