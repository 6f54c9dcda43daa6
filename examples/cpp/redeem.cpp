// The example's handler (redeem.hpp) as a command, one report or one sweep per run.
//
// usage: NOWGG_API_KEY=... redeem BASE_URL LEDGER_DB PLAYER TOKEN   (handle one report)
//        NOWGG_API_KEY=... redeem BASE_URL LEDGER_DB --sweep        (consume what is left)
//   (BASE_URL: https://payments-api.now.gg, or a sandbox's http://127.0.0.1:PORT)
#include <cstdlib>
#include <iostream>
#include <string>

#include "redeem.hpp"

int main(int argc, char **argv) {
    const char *api_key = std::getenv("NOWGG_API_KEY");
    const bool sweeping = argc == 4 && std::string(argv[3]) == "--sweep";
    if (api_key == nullptr || (argc != 5 && !sweeping)) {
        std::cerr << "usage: NOWGG_API_KEY=... " << argv[0] << " BASE_URL LEDGER_DB (PLAYER TOKEN | --sweep)\n";
        return 2;
    }
    try {
        // Built once at start-up and shared by every request handler thread.
        nowgg::ClientOptions options;
        options.api_key = api_key;
        options.base_url = argv[1];
        options.user_agent = "redeem-example/1.0";
        options.max_retries = 0;
        const nowgg::Client client(options);
        game::Ledger ledger(argv[2]);
        if (sweeping) {
            game::sweep(client, ledger);
        } else {
            game::redeem(client, ledger, argv[3], argv[4]);
        }
        return 0;
    } catch (const nowgg::Error &e) {
        // Refused (forged, not paid, another game's...) or failed: the player's client
        // reports the purchase again later when e.retryable().
        std::cerr << e.kind_name() << ": " << e.what() << (e.retryable() ? " (retry later)" : "") << "\n";
        return 1;
    } catch (const std::exception &e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
}
