// Sweep WAV + JSON sidecar.
#include "roomcal/measure/sweep_file.hpp"

#include <nlohmann/json.hpp>

#include <fstream>

#include "roomcal/core/atomic_file.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/io/audio_file.hpp"

namespace roomcal::measure {
namespace fs = std::filesystem;
using nlohmann::json;

fs::path sidecar_path(const fs::path& sweep_wav) {
    fs::path p = sweep_wav;
    return p.replace_extension(".json");
}

fs::path write_sweep(const fs::path& wav, const Sweep& sweep) {
    const auto& sp = sweep.spec;
    const double* ptr = sweep.signal.data();
    io::write_audio(wav, AudioView<const double>(&ptr, 1, sweep.signal.size()), sp.sample_rate,
                    io::AudioWriteFormat::wav_float32);
    const json j{{"format", "roomcal-sweep"},
                 {"schema_version", 1},
                 {"kind", "synchronized exponential sine sweep"},
                 {"sample_rate", sp.sample_rate.value},
                 {"start_hz", sp.start.value},
                 {"end_hz", sp.end.value},
                 {"requested_length_samples", sp.length_samples},
                 {"sweep_samples", sweep.sweep_samples},
                 {"rate_l_seconds", sweep.rate_l},
                 {"level_dbfs", sp.level_dbfs},
                 {"fade_in_seconds", sp.fade_in.value},
                 {"fade_out_seconds", sp.fade_out.value},
                 {"silence_after_seconds", sp.silence_after.value},
                 {"timing_markers", sp.timing_markers},
                 {"sweep_offset_samples", sweep.sweep_offset}};
    fs::path side = sidecar_path(wav);
    write_text_file_atomically(side, j.dump(2) + "\n");
    return side;
}

Sweep read_sweep(const fs::path& sweep_wav) {
    const fs::path side = sidecar_path(sweep_wav);
    if (!fs::is_regular_file(side))
        throw Error("sweep sidecar " + side.string() +
                    " is missing; it holds the sweep's parameters. Write sweeps "
                    "with `roomcal sweep --out " +
                    sweep_wav.filename().string() + "`, which creates both files");
    json j;
    try {
        std::ifstream in(side);
        j = json::parse(in);
        if (j.at("format") != "roomcal-sweep") throw Error("not a roomcal sweep sidecar");
        SweepSpec sp;
        sp.sample_rate = Hz(j.at("sample_rate").get<double>());
        sp.start = Hz(j.at("start_hz").get<double>());
        sp.end = Hz(j.at("end_hz").get<double>());
        sp.length_samples = j.at("requested_length_samples").get<std::size_t>();
        sp.level_dbfs = j.at("level_dbfs").get<double>();
        sp.fade_in = Seconds(j.at("fade_in_seconds").get<double>());
        sp.fade_out = Seconds(j.at("fade_out_seconds").get<double>());
        sp.silence_after = Seconds(j.at("silence_after_seconds").get<double>());
        sp.timing_markers = j.value("timing_markers", false);
        Sweep sweep = make_sweep(sp);
        if (j.contains("sweep_offset_samples") && j["sweep_offset_samples"].get<std::size_t>() != sweep.sweep_offset)
            throw Error("its layout does not match this version of roomcal's sweeps; regenerate it");
        return sweep;
    } catch (const json::exception& e) {
        throw Error("sweep sidecar " + side.string() + " is malformed (" + e.what() +
                    "); regenerate it with `roomcal sweep`");
    } catch (const Error& e) {
        throw Error("sweep sidecar " + side.string() + ": " + e.what());
    }
}

}  // namespace roomcal::measure
