#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <cstdlib>
#include <numbers>

#include "roomcal/dsp/fft.hpp"
#include "support/test_support.hpp"

using namespace roomcal;
using namespace roomcal::dsp;

namespace {

std::vector<std::complex<double>> naive_dft(const std::vector<double>& x) {
    const std::size_t n = x.size();
    std::vector<std::complex<double>> out(n / 2 + 1);
    for (std::size_t k = 0; k < out.size(); ++k) {
        std::complex<long double> acc = 0;
        for (std::size_t t = 0; t < n; ++t) {
            const long double ang = -2.0L * std::numbers::pi_v<long double> * static_cast<long double>((k * t) % n) /
                                    static_cast<long double>(n);
            acc += static_cast<long double>(x[t]) * std::complex<long double>(std::cos(ang), std::sin(ang));
        }
        out[k] = {static_cast<double>(acc.real()), static_cast<double>(acc.imag())};
    }
    return out;
}

// RMS of the difference over RMS of the reference.
template <typename C>
double relative_error(const std::vector<std::complex<double>>& ref, const C* got) {
    double num = 0.0, den = 0.0;
    for (std::size_t k = 0; k < ref.size(); ++k) {
        const std::complex<double> g(static_cast<double>(got[k].real()), static_cast<double>(got[k].imag()));
        num += std::norm(g - ref[k]);
        den += std::norm(ref[k]);
    }
    return std::sqrt(num / den);
}

}  // namespace

TEST_CASE("double FFT matches a naive DFT", "[dsp][fft]") {
    for (std::size_t n : {1u, 2u, 7u, 64u, 243u, 1000u, 4096u}) {
        const auto x = test::white_noise(n, 1.0, static_cast<unsigned>(n));
        RealFft<double> fft(n);
        FftBuffer<double> in(n);
        FftBuffer<std::complex<double>> out(fft.num_bins());
        std::copy(x.begin(), x.end(), in.data());
        fft.forward(in.data(), out.data());
        INFO("n = " << n);
        CHECK(relative_error(naive_dft(x), out.data()) < 1e-12);
    }
}

TEST_CASE("float FFT matches a naive DFT to 1e-6 relative", "[dsp][fft]") {
    for (std::size_t n : {16u, 250u, 1024u, 8192u}) {
        auto x = test::white_noise(n, 1.0, 7);
        for (auto& v : x) v = static_cast<float>(v);  // the reference sees the float input exactly
        RealFft<float> fft(n, PlanRigor::measure);
        FftBuffer<float> in(n);
        FftBuffer<std::complex<float>> out(fft.num_bins());
        for (std::size_t i = 0; i < n; ++i) in[i] = static_cast<float>(x[i]);
        fft.forward(in.data(), out.data());
        INFO("n = " << n);
        CHECK(relative_error(naive_dft(x), out.data()) < 1e-6);
    }
}

TEST_CASE("inverse FFT restores the signal (scaled by n)", "[dsp][fft]") {
    const std::size_t n = 3000;
    const auto x = test::white_noise(n, 1.0, 3);
    const auto spectrum = rfft(x, n);
    const auto y = irfft(spectrum, n);
    double err = 0.0;
    for (std::size_t i = 0; i < n; ++i) err = std::max(err, std::abs(y[i] - x[i]));
    CHECK(err < 1e-12);

    SECTION("zero-padding keeps the spectrum of the shorter signal") {
        const auto padded = rfft(std::vector<double>{1.0, 1.0}, 8);
        CHECK(std::abs(padded[0]) == Approx(2.0));
        CHECK(std::abs(padded[4]) < 1e-15);  // 1 + e^{-jπ}
    }
}

TEST_CASE("fast sizes and rejected sizes", "[dsp][fft]") {
    CHECK(next_fast_size(1) == 1);
    CHECK(next_fast_size(7) == 8);
    CHECK(next_fast_size(1001) == 1024);
    CHECK(next_fast_size(4097) == 4320);  // 2^5·3^3·5
    CHECK_THROWS_WITH(RealFft<double>(0), Catch::Contains("out of range"));
    CHECK_THROWS(rfft(std::vector<double>(10, 0.0), 5));
}

TEST_CASE("wisdom is saved in the user's cache folder", "[dsp][fft]") {
    test::TempDir dir;
    const char* old = std::getenv("XDG_CACHE_HOME");
    const std::string saved = old ? old : "";
    ::setenv("XDG_CACHE_HOME", dir.path().c_str(), 1);
    RealFft<float> measured(512, PlanRigor::measure);
    const bool ok = save_wisdom();
    if (old)
        ::setenv("XDG_CACHE_HOME", saved.c_str(), 1);
    else
        ::unsetenv("XDG_CACHE_HOME");
    REQUIRE(ok);
    CHECK(std::filesystem::file_size(dir / "roomcal/fftw-wisdom-float") > 0);
}

TEST_CASE("a run that plans no transform keeps the wisdom earlier runs saved", "[dsp][fft]") {
    test::TempDir dir;
    const char* old = std::getenv("XDG_CACHE_HOME");
    const std::string saved = old ? old : "";
    ::setenv("XDG_CACHE_HOME", dir.path().c_str(), 1);
    RealFft<float> measured(768, PlanRigor::measure);
    const bool ok = save_wisdom();
    const auto file = dir / "roomcal/fftw-wisdom-float";
    const auto before = ok ? std::filesystem::file_size(file) : 0;
    // `roomcal --version` plans nothing and saves the wisdom at exit.
    const auto r = test::run_cli("--version");
    if (old)
        ::setenv("XDG_CACHE_HOME", saved.c_str(), 1);
    else
        ::unsetenv("XDG_CACHE_HOME");
    REQUIRE(ok);
    REQUIRE(r.exit_code == 0);
    CHECK(before > 100);  // more than the empty header
    CHECK(std::filesystem::file_size(file) >= before);
}
