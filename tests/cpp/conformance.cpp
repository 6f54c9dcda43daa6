// Runs every case of tests/conformance/cases.json against the sandbox through the C++
// wrapper (the rules are in tests/conformance/README.md).
//
// usage: cpp_conformance SANDBOX_BIN CASES_JSON
#include <curl/curl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "nowgg_payments.hpp"
#include "support/sandbox.h"

using nlohmann::json;

namespace {

/// A control call to the sandbox; throws when it fails.
json control(const sandbox &sb, const char *method, const std::string &path,
             const json &body = json::object()) {
    std::string text = body.dump();
    std::unique_ptr<char, decltype(&std::free)> answer(
        sandbox_call(&sb, method, path.c_str(), std::string(method) == "GET" ? nullptr : text.c_str()),
        &std::free);
    if (!answer) throw std::runtime_error(std::string(method) + " " + path + " failed");
    return json::parse(answer.get());
}

/// What a call gave: a purchase, a consume's outcome, or an error.
using Outcome = std::variant<nowgg::Purchase, nowgg::ConsumeOutcome, nowgg::Error>;

nowgg::GrantPolicy policy_for(const json &spec) {
    nowgg::GrantPolicy policy;
    if (spec.contains("package_name")) policy.package_name = spec["package_name"].get<std::string>();
    policy.product_ids = spec.value("product_ids", std::vector<std::string>{});
    policy.allow_test_orders = spec.value("allow_test_orders", false);
    return policy;
}

Outcome call(const nowgg::Client &client, const json &spec) {
    try {
        const std::string token = spec.at("token");
        if (spec.at("op") == "verify") return client.verify_purchase(token);
        if (spec.at("op") == "verify_for_grant") {
            return client.verify_for_grant(token, policy_for(spec.value("policy", json::object())));
        }
        nowgg::ConsumeRequest request{token};
        auto text = [&](const char *key) -> std::optional<std::string> {
            return spec.contains(key) ? std::optional<std::string>(spec[key].get<std::string>()) : std::nullopt;
        };
        if (auto store = text("store")) request.store = *store;
        request.product_id = text("product_id");
        request.currency = text("currency");
        request.developer_payload = text("developer_payload");
        return client.consume_purchase(request);
    } catch (const nowgg::Error &e) {
        return e;
    }
}

/// Every purchase key an expectation may name, read through the wrapper's Purchase: the
/// string fields by the header's numbering, the rest by name.
json purchase_value(const nowgg::Purchase &p, const std::string &key) {
    for (std::uint32_t field = 0; field < NOWGG_FIELD_COUNT; field++) {
        if (key == nowgg_field_name(field)) {
            const auto value = p.field(field);
            return value ? json(*value) : json(nullptr);
        }
    }
    auto optional = [](const std::optional<std::int64_t> &value) { return value ? json(*value) : json(nullptr); };
    if (key == "purchaseState") return optional(p.purchase_state());
    if (key == "consumptionState") return optional(p.consumption_state());
    if (key == "purchaseTimeMs") return optional(p.purchase_time_ms());
    if (key == "isPaid") return p.is_paid();
    if (key == "isConsumed") return p.is_consumed();
    if (key == "isTestOrder") return p.is_test_order();
    throw std::runtime_error("the runner does not know the key " + key);
}

/// Why the outcome does not meet the expectation, or nothing.
std::optional<std::string> check(const json &expect, const Outcome &outcome) {
    if (!expect.contains("error")) {
        if (auto e = std::get_if<nowgg::Error>(&outcome)) return std::string("failed: ") + e->what();
        if (expect.contains("outcome")) {
            const auto *consumed = std::get_if<nowgg::ConsumeOutcome>(&outcome);
            if (consumed == nullptr) return std::string("no consume outcome");
            if (expect["outcome"] != nowgg::to_string(*consumed)) return "outcome " + nowgg::to_string(*consumed);
        }
        const auto *p = std::get_if<nowgg::Purchase>(&outcome);
        const json purchase = expect.value("purchase", json::object());
        if (p == nullptr && !purchase.empty()) return std::string("no purchase");
        for (const auto &[key, want] : purchase.items()) {
            if (key == "raw") {
                const std::string text = p->raw_json();
                json raw = json::parse(text);
                for (const auto &[field, value] : want.items()) {
                    if (!raw.contains(field) || raw[field] != value) return "raw differs: " + text;
                }
            } else if (purchase_value(*p, key) != want) {
                return key + " is " + purchase_value(*p, key).dump();
            }
        }
        return std::nullopt;
    }
    const json &want = expect["error"];
    const auto *e = std::get_if<nowgg::Error>(&outcome);
    if (e == nullptr) return "succeeded, expected " + want["kind"].get<std::string>();
    if (want["kind"] != e->kind_name()) return std::string("wrong kind ") + e->kind_name() + ": " + e->what();
    auto optional = [](const auto &value) { return value ? json(*value) : json(nullptr); };
    if (want.contains("api_code") && want["api_code"] != optional(e->api_code())) {
        return std::string("wrong api_code: ") + e->what();
    }
    if (want.contains("http_status") && want["http_status"] != optional(e->http_status())) {
        return std::string("wrong http_status: ") + e->what();
    }
    if (want.contains("retryable") && want["retryable"] != e->retryable()) {
        return std::string("wrong retryable: ") + e->what();
    }
    return std::nullopt;
}

nowgg::ClientOptions options_for(const sandbox &sb, const std::string &api_key, const json &client) {
    nowgg::ClientOptions options;
    options.api_key = client.value("api_key", api_key);
    options.base_url = std::string(sb.url) + client.value("base_url_suffix", "");
    options.timeout = std::chrono::milliseconds(client.value("timeout_ms", 5000));
    options.connect_timeout = std::chrono::milliseconds(client.value("connect_timeout_ms", 5000));
    options.max_retries = client.value("max_retries", 0u);
    if (client.contains("deadline_ms")) options.deadline = std::chrono::milliseconds(client["deadline_ms"].get<long>());
    if (client.contains("max_response_bytes")) options.max_response_bytes = client["max_response_bytes"].get<std::uint64_t>();
    return options;
}

std::optional<std::string> run_case(const sandbox &sb, const std::string &api_key, const json &c) {
    control(sb, "POST", "/_sandbox/reset");
    const json setup = c.value("setup", json::object());
    const json purchases = setup.value("purchases", json::array());
    for (const auto &purchase : purchases) control(sb, "POST", "/_sandbox/purchases", purchase);
    nowgg::Client client(options_for(sb, api_key, c.value("client", json::object())));
    const json steps = c.value("steps", json::array());
    for (const auto &step : steps) {
        const Outcome done = call(client, step);
        if (const auto *e = std::get_if<nowgg::Error>(&done)) {
            return std::string("step failed: ") + e->what();
        }
    }
    const std::size_t before = control(sb, "GET", "/_sandbox/requests").size();
    if (setup.contains("faults")) control(sb, "POST", "/_sandbox/faults", setup["faults"]);

    const auto started = std::chrono::steady_clock::now();
    const Outcome outcome = call(client, c.at("call"));
    const auto elapsed = std::chrono::steady_clock::now() - started;
    if (auto why = check(c.at("expect"), outcome)) return why;
    if (c.contains("max_elapsed_ms") && elapsed > std::chrono::milliseconds(c["max_elapsed_ms"].get<long>())) {
        return "took too long";
    }
    const json log = control(sb, "GET", "/_sandbox/requests");
    for (const char *field : {"path", "form"}) {
        const std::string key = std::string("expect_") + field + "s";
        if (!c.contains(key)) continue;
        json logged = json::array();
        for (std::size_t i = before; i < log.size(); i++) logged.push_back(log[i].value(field, json(nullptr)));
        if (logged != c[key]) return std::string(field) + "s were " + logged.dump();
    }
    const json then = c.value("then", json::array());
    for (const auto &next : then) {
        if (auto why = check(next.at("expect"), call(client, next.at("call")))) return "then: " + *why;
    }
    return std::nullopt;
}

bool skipped_here(const json &c) {
    const json faces = c.value("skip", json::array());
    for (const auto &face : faces) {
        if (face == "cpp") return true;
    }
    return false;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 3) {
        std::cerr << "usage: " << argv[0] << " SANDBOX_BIN CASES_JSON\n";
        return 2;
    }
    std::unique_ptr<char, decltype(&std::free)> text(read_file(argv[2]), &std::free);
    if (!text) {
        std::cerr << "cannot read " << argv[2] << "\n";
        return 2;
    }
    const json file = json::parse(text.get());
    const std::string api_key = file.at("api_key");
    curl_global_init(CURL_GLOBAL_ALL);
    sandbox sb;
    if (sandbox_start(&sb, argv[1], api_key.c_str()) != 0) return 2;

    int passed = 0, failed = 0, skipped = 0;
    for (const auto &c : file.at("cases")) {
        if (skipped_here(c)) {
            skipped++;
            continue;
        }
        std::optional<std::string> why;
        try {
            why = run_case(sb, api_key, c);
        } catch (const std::exception &e) {
            why = std::string("exception: ") + e.what();
        }
        if (why) {
            failed++;
            std::cerr << "FAILED " << c.value("name", "?") << ": " << *why << "\n";
        } else {
            passed++;
        }
    }
    std::cout << "cpp conformance: " << passed << " cases passed, " << failed << " failed, " << skipped
              << " skipped\n";
    sandbox_stop(&sb);
    curl_global_cleanup();
    return failed == 0 && passed > 0 ? 0 : 1;
}
