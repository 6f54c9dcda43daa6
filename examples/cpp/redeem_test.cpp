// Tests of the example's handler (redeem.hpp) as a game team writes them: each test gets
// a fresh in-process sandbox (nowgg::testing::Sandbox, no binary, no network) and a fresh
// ledger, and checks what the player was granted and what now.gg holds. A plain program
// for CTest: it prints each failed check and exits non-zero if any failed.
//
// usage: redeem_test
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "redeem.hpp"

namespace {

int failures = 0;

void expect(bool ok, const char *what) {
    if (ok) return;
    failures++;
    std::cerr << "  failed: " << what << "\n";
}

#define EXPECT(cond) expect((cond), #cond)

/// What each test gets: a sandbox, a client of it, and an empty ledger.
struct Fixture {
    nowgg::testing::Sandbox sandbox;
    nowgg::Client client = sandbox.client(options());
    game::Ledger ledger{":memory:"};

    /// A paid, unconsumed purchase of a product this game sells.
    std::string paid_purchase(const std::string &order_id) const {
        nowgg::testing::PurchaseSpec spec;
        spec.package_name = "<package_name>";
        spec.product_id = "gems_500";
        spec.order_id = order_id;
        return sandbox.add_purchase(spec);
    }

    /// Whether now.gg holds the purchase as consumed.
    bool consumed_at_nowgg(const std::string &token) const {
        const auto data = sandbox.purchase(token);
        return data && data->find("\"consumptionState\":1") != std::string::npos;
    }

    /// The game server's options: no retries, so that one fault is one failure.
    static nowgg::ClientOptions options() {
        nowgg::ClientOptions o;
        o.max_retries = 0;
        return o;
    }
};

/// The nowgg::Error `call` throws, or nullopt.
std::optional<nowgg::Error> error_of(const std::function<void()> &call) {
    try {
        call();
    } catch (const nowgg::Error &e) {
        return e;
    }
    return std::nullopt;
}

void grants_once_and_consumes(Fixture &t) {
    const std::string token = t.paid_purchase("GPA.1");
    game::redeem(t.client, t.ledger, "alice", token);
    EXPECT(t.ledger.quantity("alice", "gems_500") == 1);
    EXPECT(t.consumed_at_nowgg(token));
    EXPECT(t.ledger.unconsumed().empty());
}

void replay_grants_nothing(Fixture &t) {
    const std::string token = t.paid_purchase("GPA.2");
    game::redeem(t.client, t.ledger, "alice", token);
    game::redeem(t.client, t.ledger, "alice", token);  // the player's client reports it again
    EXPECT(t.ledger.quantity("alice", "gems_500") == 1);
}

void lost_consume_answer_is_reconciled(Fixture &t) {
    const std::string token = t.paid_purchase("GPA.3");
    // now.gg consumes it, and the answer never arrives: the library asks again (a verify)
    // and finds it consumed, so the handler records it as done.
    t.sandbox.add_fault(R"({"action": "drop_after", "match": "consume"})");
    game::redeem(t.client, t.ledger, "bob", token);
    EXPECT(t.sandbox.requests().find(R"("fault":"drop_after")") != std::string::npos);
    EXPECT(t.ledger.quantity("bob", "gems_500") == 1);
    EXPECT(t.consumed_at_nowgg(token));
    EXPECT(t.ledger.unconsumed().empty());
    game::redeem(t.client, t.ledger, "bob", token);  // a replay: answered from the record
    EXPECT(t.ledger.quantity("bob", "gems_500") == 1);
}

void consume_failure_is_swept(Fixture &t) {
    const std::string token = t.paid_purchase("GPA.5");
    // The consume never reaches now.gg: the grant stands, the order waits for the sweep.
    t.sandbox.add_fault(R"({"action": "status", "status": 503, "match": "consume"})");
    game::redeem(t.client, t.ledger, "dave", token);
    EXPECT(t.ledger.quantity("dave", "gems_500") == 1);
    EXPECT(!t.consumed_at_nowgg(token));
    EXPECT(t.ledger.unconsumed().size() == 1);
    game::sweep(t.client, t.ledger);
    EXPECT(t.consumed_at_nowgg(token));
    EXPECT(t.ledger.unconsumed().empty());
}

void nowgg_down_grants_nothing(Fixture &t) {
    const std::string token = t.paid_purchase("GPA.4");
    t.sandbox.add_fault(R"({"action": "status", "status": 503})");
    const auto down = error_of([&] { game::redeem(t.client, t.ledger, "carol", token); });
    EXPECT(down && down->kind() == NOWGG_HTTP_STATUS && down->retryable());
    EXPECT(t.ledger.quantity("carol", "gems_500") == 0);
    // The player's client reports it again once now.gg is back.
    game::redeem(t.client, t.ledger, "carol", token);
    EXPECT(t.ledger.quantity("carol", "gems_500") == 1);
}

void forged_token_is_refused(Fixture &t) {
    const auto forged = error_of([&] { game::redeem(t.client, t.ledger, "mallory", "-nowgg-forged"); });
    EXPECT(forged && forged->kind() == NOWGG_INVALID_PURCHASE_TOKEN && !forged->retryable());
    EXPECT(t.ledger.quantity("mallory", "gems_500") == 0);
    EXPECT(t.ledger.unconsumed().empty());
}

}  // namespace

int main() {
    const std::vector<std::pair<const char *, void (*)(Fixture &)>> tests = {
        {"grants_once_and_consumes", grants_once_and_consumes},
        {"replay_grants_nothing", replay_grants_nothing},
        {"lost_consume_answer_is_reconciled", lost_consume_answer_is_reconciled},
        {"consume_failure_is_swept", consume_failure_is_swept},
        {"nowgg_down_grants_nothing", nowgg_down_grants_nothing},
        {"forged_token_is_refused", forged_token_is_refused},
    };
    int failed_tests = 0;
    for (const auto &[name, test] : tests) {
        const int before = failures;
        try {
            Fixture fixture;
            test(fixture);
        } catch (const std::exception &e) {
            failures++;
            std::cerr << "  unexpected exception: " << e.what() << "\n";
        }
        const bool ok = failures == before;
        failed_tests += ok ? 0 : 1;
        std::cout << (ok ? "ok      " : "FAILED  ") << name << "\n";
    }
    std::cout << tests.size() - failed_tests << " passed, " << failed_tests << " failed\n";
    return failed_tests == 0 ? 0 : 1;
}
