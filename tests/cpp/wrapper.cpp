// The C++ wrapper itself: RAII and move-only handles, errors as exceptions carrying every
// detail, lazy std::optional accessors, grant policies, futures, misuse through the wrapper. Run under valgrind and ASan,
// which prove that no path (exceptions included) leaks a C object.
//
// usage: cpp_wrapper SANDBOX_BIN
#include <curl/curl.h>

#include <cstdlib>
#include <cstring>
#include <future>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "nowgg_payments.hpp"
#include "support/check.h"
#include "support/sandbox.h"

namespace {

const char KEY[] = "wrapper-secret-key";

static_assert(!std::is_copy_constructible_v<nowgg::Client>, "Client is move-only");
static_assert(!std::is_copy_assignable_v<nowgg::Client>, "Client is move-only");
static_assert(std::is_nothrow_move_constructible_v<nowgg::Client>, "moves never throw");
static_assert(std::is_nothrow_move_assignable_v<nowgg::Client>, "moves never throw");
static_assert(std::is_base_of_v<std::runtime_error, nowgg::Error>, "Error is a runtime_error");

nowgg::ClientOptions options(const sandbox &sb) {
    nowgg::ClientOptions o;
    o.api_key = KEY;
    o.base_url = sb.url;
    o.max_retries = 0;
    return o;
}

/// Runs `f`, which must throw a nowgg::Error of `kind`; returns it (or a blank one).
template <class F>
nowgg::Error expect_error(nowgg_status kind, F &&f) {
    try {
        f();
    } catch (const nowgg::Error &e) {
        CHECK(e.kind() == kind);
        if (e.kind() != kind) std::fprintf(stderr, "  got %s: %s\n", e.kind_name(), e.what());
        CHECK(std::strstr(e.what(), KEY) == nullptr);
        return e;
    }
    CHECK(!"no nowgg::Error thrown");
    return nowgg::Error(NOWGG_OK, "", std::nullopt, std::nullopt, false);
}

void verify_reads_every_field(const nowgg::Client &client) {
    const nowgg::Purchase p = client.verify_purchase("-nowgg-sample-unpaid");
    CHECK(p.app_id() == "11001");
    CHECK(p.order_amount() == "25.15");
    CHECK(p.purchase_token() == "-nowgg-sample-unpaid");
    CHECK(!p.country_code().has_value() && !p.environment().has_value());
    CHECK(p.purchase_state() == 0 && p.consumption_state() == 0);
    CHECK(p.purchase_time_ms() == 1630529397000);
    CHECK(!p.is_paid() && !p.is_consumed() && !p.is_test_order());
    CHECK(p.raw_json().find("\"orderId\":\"<orderId>\"") != std::string::npos);
    // Copies share the one C purchase; each accessor reads from it when asked.
    const nowgg::Purchase copy = p;
    CHECK(copy.get() == p.get() && copy.order_id() == p.order_id());
    CHECK(p.field(7) == p.order_id() && std::string(nowgg_field_name(7)) == "orderId");
    CHECK(!p.field(NOWGG_FIELD_COUNT).has_value());
}

void errors_carry_their_details(const sandbox &sb, const nowgg::Client &client) {
    nowgg::Error e = expect_error(NOWGG_INVALID_PURCHASE_TOKEN, [&] { client.verify_purchase("-nowgg-nope"); });
    CHECK(std::string(e.kind_name()) == "INVALID_PURCHASE_TOKEN");
    CHECK(e.api_code() == 3901 && e.http_status() == 200 && !e.retryable());

    nowgg::ClientOptions wrong = options(sb);
    wrong.api_key = "wrapper-secret-key-but-wrong";
    nowgg::Client bad(wrong);
    e = expect_error(NOWGG_INVALID_AUTHORIZATION_KEY, [&] { bad.verify_purchase("-nowgg-sample-paid"); });
    CHECK(std::strstr(e.what(), "wrapper-secret-key-but-wrong") == nullptr);

    // Caught as a std::runtime_error too.
    bool caught = false;
    try {
        client.verify_purchase("");
    } catch (const std::runtime_error &) {
        caught = true;
    }
    CHECK(caught);
}

void consume_is_safe_to_repeat(const sandbox &sb, const nowgg::Client &client) {
    CHECK(client.consume_purchase({"-nowgg-sample-paid"}) == nowgg::ConsumeOutcome::Consumed);
    CHECK(client.verify_purchase("-nowgg-sample-paid").is_consumed());
    CHECK(client.consume_purchase({"-nowgg-sample-paid"}) == nowgg::ConsumeOutcome::AlreadyConsumed);
    CHECK(nowgg::to_string(nowgg::ConsumeOutcome::AlreadyConsumed) == "already_consumed");
    nowgg::Error e =
        expect_error(NOWGG_ERROR_CONSUMING_PRODUCT, [&] { client.consume_purchase({"-nowgg-sample-unpaid"}); });
    CHECK(e.api_code() == 3800);

    nowgg::ConsumeRequest xiaomi{"xiaomi-sample-1", "xiaomi", "11223343", "EUR", "order-77"};
    CHECK(client.consume_purchase(xiaomi) == nowgg::ConsumeOutcome::Consumed);
    expect_error(NOWGG_INVALID_ARGUMENT, [&] { client.consume_purchase({"onestore-sample-1", "onestore"}); });
    expect_error(NOWGG_INVALID_ARGUMENT, [&] { client.consume_purchase({"-nowgg-x", "steam"}); });
    free(sandbox_call(&sb, "POST", "/_sandbox/reset", "{}"));
}

void options_are_checked(const sandbox &sb) {
    nowgg::ClientOptions o = options(sb);
    o.timeout = std::chrono::milliseconds(-5);
    expect_error(NOWGG_INVALID_ARGUMENT, [&] { nowgg::Client c(o); });
    o = options(sb);
    o.region = "mars";
    expect_error(NOWGG_INVALID_ARGUMENT, [&] { nowgg::Client c(o); });
    o = options(sb);
    o.ca_certs_pem = "not a certificate";
    expect_error(NOWGG_INVALID_ARGUMENT, [&] { nowgg::Client c(o); });
    o = options(sb);
    o.api_key = std::string("key\0with-nul", 12);
    expect_error(NOWGG_INVALID_ARGUMENT, [&] { nowgg::Client c(o); });

    o = options(sb);
    o.region = "china";
    o.timeout = std::chrono::seconds(2);
    o.connect_timeout = std::chrono::seconds(1);
    o.user_agent = "wrapper-test/1.0";
    o.max_response_bytes = 65536;
    o.deadline = std::chrono::seconds(5);
    o.max_in_flight = 4;
    nowgg::Client c(o);
    CHECK(c.verify_purchase("-nowgg-sample-paid").is_paid());

    // The limits are the core's, the same in every face.
    o.deadline = std::chrono::hours(25);
    expect_error(NOWGG_INVALID_ARGUMENT, [&] { nowgg::Client bad(o); });
    o.deadline = std::nullopt;
    o.max_in_flight = 0;
    expect_error(NOWGG_INVALID_ARGUMENT, [&] { nowgg::Client bad(o); });
    o.max_in_flight = std::nullopt;
    o.proxy = "socks5://127.0.0.1:1080";
    expect_error(NOWGG_INVALID_ARGUMENT, [&] { nowgg::Client bad(o); });
}

void grants_check_the_policy(const nowgg::Client &client) {
    const nowgg::Purchase paid = client.verify_purchase("-nowgg-sample-paid");
    nowgg::GrantPolicy policy{paid.package_name(), {"gems_100"}};
    expect_error(NOWGG_PRODUCT_MISMATCH, [&] { paid.check(policy); });
    expect_error(NOWGG_PRODUCT_MISMATCH, [&] { client.verify_for_grant("-nowgg-sample-paid", policy); });
    policy.product_ids.push_back(*paid.product_id());
    paid.check(policy);
    CHECK(client.verify_for_grant("-nowgg-sample-paid", policy).order_id() == paid.order_id());
    expect_error(NOWGG_NOT_PAID, [&] { client.verify_for_grant("-nowgg-sample-unpaid", policy); });
    policy.package_name = "com.other";
    expect_error(NOWGG_PACKAGE_MISMATCH, [&] { paid.check(policy); });
    policy.package_name = std::string("com\0other", 9);
    expect_error(NOWGG_INVALID_ARGUMENT, [&] { paid.check(policy); });
}

/// The futures: many calls in flight, errors through get(), and a client destroyed while
/// its calls are still running (they complete; nothing leaks, which valgrind and ASan
/// check).
void async_calls(const sandbox &sb) {
    std::vector<std::future<nowgg::Purchase>> verifies;
    std::future<nowgg::ConsumeOutcome> consumed;
    std::future<nowgg::Purchase> refused, forged;
    {
        free(sandbox_call(&sb, "POST", "/_sandbox/faults",
                          R"({"match": "verify", "action": "none", "delay_ms": 200, "count": 34})"));
        nowgg::Client client(options(sb));
        for (int i = 0; i < 32; i++) verifies.push_back(client.verify_purchase_async("-nowgg-sample-paid"));
        refused = client.verify_for_grant_async("-nowgg-sample-unpaid", nowgg::GrantPolicy{});
        forged = client.verify_purchase_async("-nowgg-forged");
        consumed = client.consume_purchase_async({"xiaomi-sample-1", "xiaomi", "11223343"});
        expect_error(NOWGG_INVALID_ARGUMENT, [&] { client.verify_purchase_async(std::string("a\0b", 3)); });
    }  // the client goes while the calls are in flight
    int paid = 0;
    for (auto &f : verifies) paid += f.get().is_paid();
    CHECK(paid == 32);
    CHECK(consumed.get() == nowgg::ConsumeOutcome::Consumed);
    expect_error(NOWGG_NOT_PAID, [&] { refused.get(); });
    nowgg::Error e = expect_error(NOWGG_INVALID_PURCHASE_TOKEN, [&] { forged.get(); });
    CHECK(e.api_code() == 3901);
    free(sandbox_call(&sb, "POST", "/_sandbox/reset", "{}"));
}

void handles_move(const sandbox &sb) {
    nowgg::Client a(options(sb));
    nowgg::Client b(std::move(a));
    CHECK(b.get() != nullptr && a.get() == nullptr);  // NOLINT(bugprone-use-after-move)
    CHECK(b.verify_purchase("-nowgg-sample-paid").is_paid());
    // A moved-from client is empty: the C library refuses it, nothing crashes.
    expect_error(NOWGG_INVALID_ARGUMENT, [&] { a.verify_purchase("-nowgg-sample-paid"); });  // NOLINT
    a = std::move(b);
    CHECK(a.verify_purchase("-nowgg-sample-paid").is_paid());

    std::vector<nowgg::Client> clients;
    for (int i = 0; i < 3; i++) clients.emplace_back(options(sb));
    std::vector<std::thread> threads;
    int paid[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        threads.emplace_back([&, i] { paid[i] = clients[0].verify_purchase("-nowgg-sample-paid").is_paid(); });
    }
    for (auto &t : threads) t.join();
    CHECK(paid[0] && paid[1] && paid[2]);
}

void misuse_through_the_wrapper(const nowgg::Client &client) {
    expect_error(NOWGG_INVALID_ARGUMENT, [&] { client.verify_purchase(std::string("-nowgg-sample-paid\0x", 20)); });
    expect_error(NOWGG_INVALID_ARGUMENT, [&] { client.verify_purchase("\xff\xfe"); });
    expect_error(NOWGG_INVALID_ARGUMENT, [&] { client.consume_purchase({""}); });
    CHECK(nowgg::is_nowgg_token("-nowgg-abc") && !nowgg::is_nowgg_token("GPA.1"));
    CHECK(nowgg::version() == NOWGG_PAYMENTS_VERSION);
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s SANDBOX_BIN\n", argv[0]);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_ALL);
    sandbox sb;
    if (sandbox_start(&sb, argv[1], KEY) != 0) return 2;
    {
        nowgg::Client client(options(sb));
        verify_reads_every_field(client);
        errors_carry_their_details(sb, client);
        consume_is_safe_to_repeat(sb, client);
        options_are_checked(sb);
        grants_check_the_policy(client);
        async_calls(sb);
        handles_move(sb);
        misuse_through_the_wrapper(client);
    }
    sandbox_stop(&sb);
    curl_global_cleanup();
    return checks_done("cpp wrapper");
}
