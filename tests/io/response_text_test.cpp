// Text response formats: mic calibration, REW export, FRD, house curve, and the writer.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <functional>
#include <numbers>

#include "roomcal/core/error.hpp"
#include "roomcal/io/response_text.hpp"
#include "support/test_support.hpp"

using namespace roomcal;
using namespace roomcal::io;

namespace {

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
}

// The message of the roomcal::Error that `read` throws; fails the test if none is thrown.
std::string error_of(const std::function<void()>& read) {
    try {
        read();
    } catch (const Error& e) {
        return e.what();
    }
    FAIL("no roomcal::Error was thrown");
    return {};
}

std::string read_error(const std::filesystem::path& path) {
    return error_of([&] { read_response_text(path); });
}

}  // namespace

TEST_CASE("UMIK calibration file with Sens Factor header and CRLF", "[io][response_text]") {
    test::TempDir dir;
    const auto path = dir / "7001234.txt";
    write_bytes(path,
                "\xEF\xBB\xBF\"Sens Factor =-1.378dB, AGain =18dB, SERNO: 7001234\"\r\n"
                "10.054\t-2.5\r\n"
                "100\t-0.5\r\n"
                "1000\t0\r\n"
                "20000\t1.25\r\n");
    const auto cal = read_mic_calibration(path);
    REQUIRE(cal.sensitivity_db.has_value());
    CHECK(*cal.sensitivity_db == Approx(-1.378).margin(1e-12));
    CHECK(cal.serial == "7001234");
    REQUIRE(cal.response.size() == 4);
    CHECK(cal.response.frequency_hz == std::vector<double>{10.054, 100, 1000, 20000});
    CHECK(cal.response.magnitude_db == std::vector<double>{-2.5, -0.5, 0, 1.25});
    CHECK_FALSE(cal.response.has_phase());
    // Log-frequency interpolation inside; the end values outside the file's range.
    CHECK(cal.magnitude_db_at(Hz(std::sqrt(100.0 * 1000.0))) == Approx(-0.25).margin(1e-12));
    CHECK(cal.magnitude_db_at(Hz(5.0)) == Approx(-2.5).margin(1e-12));
    CHECK(cal.magnitude_db_at(Hz(24000.0)) == Approx(1.25).margin(1e-12));
}

TEST_CASE("Dayton style calibration header tolerates case and spacing", "[io][response_text]") {
    test::TempDir dir;
    const auto path = dir / "emm6.txt";
    write_bytes(path,
                "*1kHz  SENS  factor = -.75 dB\n"
                "* Serial No. EMM-12345\n"
                "# made by hand\n"
                "; another comment\n"
                "20 1.5 -10\n"
                "40 0.5 -5\n"
                "80 0.0 0\n");
    const auto cal = read_mic_calibration(path);
    REQUIRE(cal.sensitivity_db.has_value());
    CHECK(*cal.sensitivity_db == Approx(-0.75).margin(1e-12));
    CHECK(cal.serial == "EMM-12345");
    REQUIRE(cal.response.has_phase());
    CHECK(cal.response.phase_rad[0] == Approx(-10.0 * std::numbers::pi / 180.0).margin(1e-12));

    write_bytes(path, "\"no sensitivity here\"\n20 1\n40 2\n");
    const auto plain = read_mic_calibration(path);
    CHECK_FALSE(plain.sensitivity_db.has_value());
    CHECK(plain.serial.empty());

    // A Sens Factor with a decimal comma would be read as -1 dB: refused instead.
    write_bytes(path, "\"Sens Factor =-1,378dB\"\n20 1\n40 2\n");
    const auto msg = error_of([&] { read_mic_calibration(path); });
    CHECK_THAT(msg, Catch::Contains("line 1"));
    CHECK_THAT(msg, Catch::Contains("Sens Factor"));
}

TEST_CASE("REW export phase is unwrapped across the 180 degree wrap", "[io][response_text]") {
    test::TempDir dir;
    const auto path = dir / "rew.txt";
    // A 1 ms delay: phase -360·f·τ degrees, exported wrapped into (-180, 180].
    const double tau = 1e-3;
    std::string text =
        "* Measurement data measured by REW V5.20\n"
        "* Source: Left, 1/48 octave smoothing\n"
        "* Freq(Hz) SPL(dB) Phase(degrees)\n";
    std::vector<double> freqs;
    for (double f = 100.0; f <= 2000.0; f += 50.0) {
        freqs.push_back(f);
        const double wrapped = std::remainder(-360.0 * f * tau, 360.0);
        text += std::to_string(f) + " " + std::to_string(80.0 - f / 1000.0) + " " + std::to_string(wrapped) + "\n";
    }
    write_bytes(path, text);
    const auto r = read_response_text(path);
    REQUIRE(r.size() == freqs.size());
    REQUIRE(r.has_phase());
    double max_error = 0.0;
    for (std::size_t i = 0; i < r.size(); ++i)
        max_error = std::max(max_error, std::abs(r.phase_rad[i] - (-2.0 * std::numbers::pi * freqs[i] * tau)));
    CHECK(max_error < 1e-6);
    CHECK(r.phase_rad.back() == Approx(-4.0 * std::numbers::pi).margin(1e-6));  // two full turns at 2 kHz
    CHECK(r.magnitude_db.front() == Approx(79.9).margin(1e-6));
}

TEST_CASE("FRD file with hash comments and two columns", "[io][response_text]") {
    test::TempDir dir;
    const auto path = dir / "woofer.frd";
    write_bytes(path,
                "# woofer on axis\n"
                "Freq SPL\n"  // an unmarked column header before the data is header text
                "0 50\n"      // DC of a linear export: skipped
                "10 60.5\n"
                "# a comment between points\n"
                "\n"
                "20 70.25\n"
                "40 +75\n");
    const auto r = read_response_text(path);
    CHECK(r.frequency_hz == std::vector<double>{10, 20, 40});
    CHECK(r.magnitude_db == std::vector<double>{60.5, 70.25, 75});
    CHECK_FALSE(r.has_phase());
}

TEST_CASE("comma and semicolon separated lines", "[io][response_text]") {
    test::TempDir dir;
    const auto path = dir / "curve.csv";
    write_bytes(path, "20,1.5,-30\n40, 1.0 , -20\n80 ,0.5,-10,\n");
    const auto commas = read_response_text(path);
    CHECK(commas.frequency_hz == std::vector<double>{20, 40, 80});
    CHECK(commas.magnitude_db == std::vector<double>{1.5, 1.0, 0.5});
    REQUIRE(commas.has_phase());
    CHECK(commas.phase_rad[2] == Approx(-10.0 * std::numbers::pi / 180.0).margin(1e-12));

    write_bytes(path, "20;6\n100 ; 3\n1000;0;\n");
    const auto curve = read_house_curve(path);
    REQUIRE(curve.size() == 3);
    CHECK(curve[1] == std::pair{100.0, 3.0});
    CHECK(curve[2] == std::pair{1000.0, 0.0});
}

TEST_CASE("decimal commas are refused rather than guessed", "[io][response_text]") {
    test::TempDir dir;
    const auto path = dir / "de.txt";
    write_bytes(path, "20 1\n30,5 1,2\n");
    auto msg = read_error(path);
    CHECK_THAT(msg, Catch::Contains("line 2"));
    CHECK_THAT(msg, Catch::Contains("30,5 1,2"));
    CHECK_THAT(msg, Catch::Contains("decimal commas"));

    write_bytes(path, "20;1\n30;1,5\n");
    msg = read_error(path);
    CHECK_THAT(msg, Catch::Contains("line 2"));
    CHECK_THAT(msg, Catch::Contains("decimal comma"));
}

TEST_CASE("bad response files throw errors naming file line and text", "[io][response_text]") {
    test::TempDir dir;
    const auto path = dir / "bad.txt";
    const std::string file = path.string();

    write_bytes(path, "* header\n20 1\n40 2\n40 Hz oops\n80 3\n");
    auto msg = read_error(path);
    CHECK_THAT(msg, Catch::Contains(file));
    CHECK_THAT(msg, Catch::Contains("line 4"));
    CHECK_THAT(msg, Catch::Contains("40 Hz oops"));
    CHECK_THAT(msg, Catch::Contains("\"Hz\" is not a number"));

    write_bytes(path, "20 1\n40 2\nend of data\n");
    msg = read_error(path);
    CHECK_THAT(msg, Catch::Contains("line 3"));
    CHECK_THAT(msg, Catch::Contains("not a data line"));

    write_bytes(path, "20 1\n100 2\n50 3\n");
    msg = read_error(path);
    CHECK_THAT(msg, Catch::Contains("line 3"));
    CHECK_THAT(msg, Catch::Contains("must increase"));

    write_bytes(path, "20 1\n100 2\n100 3\n");
    msg = read_error(path);
    CHECK_THAT(msg, Catch::Contains("line 3"));
    CHECK_THAT(msg, Catch::Contains("duplicate"));

    write_bytes(path, "20 1 0\n100 2\n");
    msg = read_error(path);
    CHECK_THAT(msg, Catch::Contains("line 2"));
    CHECK_THAT(msg, Catch::Contains("same columns"));

    write_bytes(path, "");
    msg = read_error(path);
    CHECK_THAT(msg, Catch::Contains(file));
    CHECK_THAT(msg, Catch::Contains("no data"));

    write_bytes(path, "* only a header\n1000 0\n");
    msg = read_error(path);
    CHECK_THAT(msg, Catch::Contains("no data"));
    CHECK_THAT(msg, Catch::Contains("only 1 data point"));

    write_bytes(path, std::string("RIFF\0\0\0\0WAVE", 12));
    msg = read_error(path);
    CHECK_THAT(msg, Catch::Contains("not a plain text file"));

    msg = read_error(dir / "missing.txt");
    CHECK_THAT(msg, Catch::Contains("missing.txt"));
    CHECK_THAT(msg, Catch::Contains("does not exist"));

    // Every reader shares these checks.
    write_bytes(path, "20 1\n10 2\n");
    CHECK_THAT(error_of([&] { read_house_curve(path); }), Catch::Contains("line 2"));
    CHECK_THAT(error_of([&] { read_mic_calibration(path); }), Catch::Contains("line 2"));
}

TEST_CASE("written response text reads back with the same values", "[io][response_text]") {
    test::TempDir dir;
    const auto path = dir / "out.txt";
    FrequencyResponse r;
    r.frequency_hz = log_frequency_grid(Hz(20.0), Hz(20000.0), 12.0);
    for (const double f : r.frequency_hz) {
        r.magnitude_db.push_back(3.0 * std::sin(std::log(f)) - 0.123456789);
        r.phase_rad.push_back(-2.0 * std::numbers::pi * f * 2.5e-4 + 0.3);  // unwrapped, many turns
    }
    write_response_text(path, r, "roomcal test\nsecond line");
    CHECK(test::list_files(dir.path()) == std::vector<std::string>{"out.txt"});

    std::ifstream in(path);
    std::string first;
    std::getline(in, first);
    CHECK(first == "* roomcal test");

    const auto back = read_response_text(path);
    REQUIRE(back.size() == r.size());
    REQUIRE(back.has_phase());
    double db_error = 0.0, phase_error = 0.0, f_error = 0.0;
    for (std::size_t i = 0; i < r.size(); ++i) {
        f_error = std::max(f_error, std::abs(back.frequency_hz[i] - r.frequency_hz[i]));
        db_error = std::max(db_error, std::abs(back.magnitude_db[i] - r.magnitude_db[i]));
        phase_error = std::max(phase_error, std::abs(back.phase_rad[i] - r.phase_rad[i]));
    }
    CHECK(f_error == 0.0);
    CHECK(db_error < 1e-6);
    CHECK(phase_error < 1e-6);

    r.phase_rad.clear();
    write_response_text(path, r, "");
    const auto magnitude_only = read_response_text(path);
    CHECK_FALSE(magnitude_only.has_phase());
    CHECK(magnitude_only.magnitude_db == r.magnitude_db);

    r.frequency_hz.back() = r.frequency_hz.front();
    CHECK_THROWS_AS(write_response_text(path, r, ""), Error);
    CHECK(read_response_text(path).size() == r.size());  // the old file is untouched
}
