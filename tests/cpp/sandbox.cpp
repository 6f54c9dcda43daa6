// nowgg::testing::Sandbox as a game team's C++ tests use it: three lines to a sandbox and
// a client, purchases by named fields, faults as the control API's JSON, the request log,
// reset, moves, and destruction freeing the port.
//
// usage: cpp_sandbox
#include <nlohmann/json.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "nowgg_payments.hpp"
#include "support/check.h"

using nlohmann::json;

using nowgg::testing::Sandbox;
static_assert(!std::is_copy_constructible_v<Sandbox>, "Sandbox is move-only");
static_assert(!std::is_copy_assignable_v<Sandbox>, "Sandbox is move-only");
static_assert(std::is_nothrow_move_constructible_v<Sandbox>, "moves never throw");
static_assert(std::is_nothrow_move_assignable_v<Sandbox>, "moves never throw");

namespace {

/// The Error `call` throws, or nullopt when it throws none.
template <class Call>
std::optional<nowgg::Error> error_of(Call &&call) {
    try {
        call();
    } catch (const nowgg::Error &e) {
        return e;
    }
    return std::nullopt;
}

void purchases(const nowgg::testing::Sandbox &sb, const nowgg::Client &client) {
    nowgg::testing::PurchaseSpec spec;
    spec.product_id = "gems_500";
    spec.order_id = "ORDER-7";
    const std::string token = sb.add_purchase(spec);
    CHECK(nowgg::is_nowgg_token(token));
    const nowgg::Purchase paid = client.verify_purchase(token);
    CHECK(paid.is_paid() && !paid.is_consumed());
    CHECK(paid.product_id() == "gems_500");
    CHECK(paid.order_id() == "ORDER-7");
    CHECK(client.consume_purchase(nowgg::ConsumeRequest{token}) == nowgg::ConsumeOutcome::Consumed);
    const auto stored = sb.purchase(token);
    CHECK(stored && json::parse(*stored)["consumptionState"] == 1);
    CHECK(!sb.purchase("-nowgg-never-added"));

    nowgg::testing::PurchaseSpec unpaid;
    unpaid.paid = false;
    unpaid.token = "-nowgg-unpaid";
    unpaid.data_json = R"({"orderAmount": "4.99"})";
    CHECK(sb.add_purchase(unpaid) == "-nowgg-unpaid");
    const nowgg::Purchase p = client.verify_purchase("-nowgg-unpaid");
    CHECK(!p.is_paid());
    CHECK(p.order_amount() == "4.99");
    CHECK(client.verify_purchase(sb.add_purchase()).product_id() == "gems_100");

    const auto bad_store = error_of([&] {
        nowgg::testing::PurchaseSpec s;
        s.store = "steam";
        sb.add_purchase(s);
    });
    CHECK(bad_store && bad_store->kind() == NOWGG_INVALID_ARGUMENT);
    const auto nul = error_of([&] {
        nowgg::testing::PurchaseSpec s;
        s.product_id = std::string("gems\0x", 6);
        sb.add_purchase(s);
    });
    CHECK(nul && nul->kind() == NOWGG_INVALID_ARGUMENT);
}

void faults(const nowgg::testing::Sandbox &sb, const nowgg::Client &client) {
    const std::string token = sb.add_purchase();
    sb.add_fault(R"({"action": "status", "status": 503})");
    const auto down = error_of([&] { client.verify_purchase(token); });
    CHECK(down && down->kind() == NOWGG_HTTP_STATUS && down->http_status() == 503 && down->retryable());
    CHECK(client.verify_purchase(token).is_paid());

    const auto bad = error_of([&] { sb.add_fault(R"({"action": "explode"})"); });
    CHECK(bad && bad->kind() == NOWGG_INVALID_ARGUMENT);
}

void log_and_reset(const nowgg::testing::Sandbox &sb, const nowgg::Client &client) {
    const json log = json::parse(sb.requests());
    CHECK(log.is_array() && !log.empty());
    CHECK(log.back()["call"] == "verify");
    CHECK(sb.requests().find(sb.api_key()) == std::string::npos);

    const std::string token = sb.add_purchase();
    sb.reset();
    CHECK(json::parse(sb.requests()).empty());
    CHECK(!sb.purchase(token));
    const auto gone = error_of([&] { client.verify_purchase(token); });
    CHECK(gone && gone->kind() == NOWGG_INVALID_PURCHASE_TOKEN);
}

void moves() {
    nowgg::testing::Sandbox first("move-key");
    const std::string url = first.url();
    nowgg::testing::Sandbox second(std::move(first));
    CHECK(second.url() == url);
    const auto moved = error_of([&] { (void)first.url(); });  // NOLINT(bugprone-use-after-move)
    CHECK(moved && moved->kind() == NOWGG_INVALID_ARGUMENT);
    const auto moved_call = error_of([&] { first.reset(); });  // NOLINT(bugprone-use-after-move)
    CHECK(moved_call && moved_call->kind() == NOWGG_INVALID_ARGUMENT);

    const auto empty = error_of([] { nowgg::testing::Sandbox sb(""); });
    CHECK(empty && empty->kind() == NOWGG_INVALID_ARGUMENT);
}

/// Destroying the sandbox frees its port: a client of the old URL cannot connect.
void destruction_frees_the_port() {
    std::optional<nowgg::testing::Sandbox> sb(std::in_place);
    nowgg::ClientOptions options;
    options.max_retries = 0;
    const nowgg::Client client = sb->client(options);
    CHECK(client.verify_purchase(sb->add_purchase()).is_paid());
    sb.reset();
    const auto refused = error_of([&] { client.verify_purchase("-nowgg-any"); });
    CHECK(refused && refused->kind() == NOWGG_CONNECTION);
}

}  // namespace

int main() {
    try {
        nowgg::testing::Sandbox sb;
        nowgg::ClientOptions options;
        options.max_retries = 0;
        const nowgg::Client client = sb.client(options);
        CHECK(sb.api_key() == "test-key");
        CHECK(sb.url().rfind("http://127.0.0.1:", 0) == 0);
        CHECK(sb.console_url() == sb.url() + "/_sandbox/");
        purchases(sb, client);
        faults(sb, client);
        log_and_reset(sb, client);
        moves();
        destruction_frees_the_port();
    } catch (const std::exception &e) {
        CHECK(!"an unexpected exception");
        std::fprintf(stderr, "  %s\n", e.what());
    }
    return checks_done("cpp_sandbox");
}
