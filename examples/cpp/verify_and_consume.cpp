// What a C++ game server does when a player's client reports a purchase: verify it,
// consume it, and grant the product only if the consume succeeded. The consume is the
// lock: when two servers race on one token exactly one consume succeeds, so exactly one
// grants.
//
// usage: NOWGG_API_KEY=... verify_and_consume BASE_URL TOKEN
//   (BASE_URL: https://payments-api.now.gg, or a sandbox's http://127.0.0.1:PORT)
#include <cstdlib>
#include <iostream>
#include <string>

#include "nowgg_payments.hpp"

namespace {

/// The game's own side of the deal; here, a line on stdout.
void grant(const std::string &product_id, const std::string &order_id) {
    std::cout << "granted " << product_id << " (order " << order_id << ")\n";
}

}  // namespace

int main(int argc, char **argv) {
    const char *api_key = std::getenv("NOWGG_API_KEY");
    if (argc != 3 || api_key == nullptr) {
        std::cerr << "usage: NOWGG_API_KEY=... " << argv[0] << " BASE_URL TOKEN\n";
        return 2;
    }
    const std::string token = argv[2];
    try {
        // Built once at start-up and shared by every request handler thread.
        nowgg::ClientOptions options;
        options.api_key = api_key;
        options.base_url = argv[1];
        options.user_agent = "verify-and-consume-example/1.0";
        const nowgg::Client client(options);

        const nowgg::Purchase purchase = client.verify_purchase(token);
        if (!purchase.is_paid || purchase.is_consumed) {
            std::cout << "nothing to grant: paid=" << purchase.is_paid << " consumed=" << purchase.is_consumed
                      << "\n";
            return 0;
        }
        try {
            client.consume_purchase(nowgg::ConsumeRequest{token});
        } catch (const nowgg::Error &e) {
            if (e.kind() != NOWGG_ERROR_CONSUMING_PRODUCT) throw;
            // Another server consumed it between our verify and consume: it granted there.
            std::cout << "already consumed elsewhere: not granted here\n";
            return 0;
        }
        grant(purchase.product_id.value_or("?"), purchase.order_id.value_or("?"));
        return 0;
    } catch (const nowgg::Error &e) {
        // Retryable errors (timeouts, 5xx): tell the client to report the purchase again.
        std::cerr << e.kind_name() << ": " << e.what() << (e.retryable() ? " (retry later)" : "") << "\n";
        return 1;
    }
}
