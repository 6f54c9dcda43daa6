// Links the installed library through the C++ wrapper and the C header: the versions agree
// and a call goes through (an empty token is refused before any I/O).
#include <cstdio>
#include <cstring>

#include <nowgg_payments.hpp>

int main() {
    if (nowgg::version() != NOWGG_PAYMENTS_VERSION) return 1;
    try {
        nowgg::Client client(nowgg::ClientOptions{"consumer-key"});
        client.verify_purchase("");
    } catch (const nowgg::Error &e) {
        std::printf("nowgg_payments %s linked: %s\n", nowgg_version(), e.kind_name());
        return std::strcmp(e.kind_name(), "INVALID_ARGUMENT") == 0 ? 0 : 1;
    }
    return 1;
}
