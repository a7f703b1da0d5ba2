// room.json reading/writing with nlohmann::json; impulse responses and FIRs as WAV.
#include "roomcal/io/room_profile.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "roomcal/core/atomic_file.hpp"
#include "roomcal/core/error.hpp"
#include "roomcal/core/format.hpp"
#include "roomcal/io/audio_file.hpp"

namespace roomcal::io {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* format_tag = "roomcal-room";

// FNV-1a over the samples' bytes: unchanged data keeps its file name across saves.
std::string content_tag(const std::vector<double>& samples, double rate) {
    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&h](const void* p, std::size_t n) {
        const auto* b = static_cast<const unsigned char*>(p);
        for (std::size_t i = 0; i < n; ++i) {
            h ^= b[i];
            h *= 1099511628211ull;
        }
    };
    for (double s : samples) {
        const auto f = static_cast<float>(s);  // what the float32 WAV will hold
        mix(&f, sizeof f);
    }
    mix(&rate, sizeof rate);
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return std::string(buf, 8);
}

std::string safe_name(const std::string& s) {
    std::string out;
    for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
    return out.empty() ? "ch" : out;
}

void write_mono(const fs::path& path, const std::vector<double>& samples, Hz rate) {
    const double* ptr = samples.data();
    write_audio(path, AudioView<const double>(&ptr, 1, samples.size()), rate, AudioWriteFormat::wav_float32);
}

// Reads a field, reporting the JSON path and the expected type on failure.
class Reader {
public:
    explicit Reader(fs::path file) : file_(std::move(file)) {}

    [[noreturn]] void fail(const std::string& where, const std::string& what) const {
        throw Error(file_.string() + ": " + where + ": " + what + "; fix the file or re-create the room");
    }
    const json& field(const json& obj, const std::string& where, const char* key) const {
        if (!obj.is_object()) fail(where, "expected an object");
        const auto it = obj.find(key);
        if (it == obj.end()) fail(where, std::string("missing key \"") + key + "\"");
        return *it;
    }
    double number(const json& obj, const std::string& where, const char* key) const {
        const auto& v = field(obj, where, key);
        if (!v.is_number()) fail(where + "." + key, "expected a number");
        return v.get<double>();
    }
    double number_or(const json& obj, const std::string& where, const char* key, double fallback) const {
        return obj.contains(key) ? number(obj, where, key) : fallback;
    }
    std::string string(const json& obj, const std::string& where, const char* key) const {
        const auto& v = field(obj, where, key);
        if (!v.is_string()) fail(where + "." + key, "expected a string");
        return v.get<std::string>();
    }
    bool boolean_or(const json& obj, const std::string& where, const char* key, bool fallback) const {
        if (!obj.contains(key)) return fallback;
        const auto& v = obj.at(key);
        if (!v.is_boolean()) fail(where + "." + key, "expected true or false");
        return v.get<bool>();
    }
    const json& array(const json& obj, const std::string& where, const char* key) const {
        const auto& v = field(obj, where, key);
        if (!v.is_array()) fail(where + "." + key, "expected an array");
        return v;
    }
    const fs::path& file() const { return file_; }

private:
    fs::path file_;
};

fs::path checked_relative(const Reader& r, const fs::path& dir, const std::string& where, const std::string& rel) {
    const fs::path p(rel);
    if (p.is_absolute() || rel.find("..") != std::string::npos)
        r.fail(where, "file reference \"" + rel + "\" must stay inside the room folder");
    return dir / p;
}

std::vector<double> read_mono(const Reader& r, const fs::path& path, const std::string& where, Hz* rate) {
    AudioFile<double> f;
    try {
        f = read_audio_double(path);
    } catch (const Error& e) {
        r.fail(where, e.what());
    }
    if (f.info.num_channels != 1)
        r.fail(where, path.filename().string() + " has " + std::to_string(f.info.num_channels) +
                          " channels, expected a mono file");
    *rate = f.info.sample_rate;
    const auto ch = f.audio.channel(0);
    return {ch.begin(), ch.end()};
}

std::vector<double> number_array(const Reader& r, const json& obj, const std::string& where, const char* key) {
    const auto& a = r.array(obj, where, key);
    std::vector<double> v;
    v.reserve(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!a[i].is_number()) r.fail(where + "." + key + "[" + std::to_string(i) + "]", "expected a number");
        v.push_back(a[i].get<double>());
    }
    return v;
}

FilterType filter_type(const Reader& r, const std::string& where, const std::string& name) {
    for (auto t : {FilterType::peaking, FilterType::low_shelf, FilterType::high_shelf, FilterType::low_pass,
                   FilterType::high_pass})
        if (name == short_name(t)) return t;
    r.fail(where + ".type", "\"" + name + "\" is not a filter type (PK, LS, HS, LP or HP)");
}

FrequencyResponse read_response(const Reader& r, const json& obj, const std::string& where) {
    FrequencyResponse fr;
    fr.frequency_hz = number_array(r, obj, where, "frequency_hz");
    fr.magnitude_db = number_array(r, obj, where, "magnitude_db");
    if (obj.contains("phase_rad")) fr.phase_rad = number_array(r, obj, where, "phase_rad");
    try {
        fr.validate(where.c_str());
    } catch (const Error& e) {
        r.fail(where, e.what());
    }
    return fr;
}

json response_json(const FrequencyResponse& fr) {
    json j{{"frequency_hz", fr.frequency_hz}, {"magnitude_db", fr.magnitude_db}};
    if (fr.has_phase()) j["phase_rad"] = fr.phase_rad;
    return j;
}

}  // namespace

bool room_exists(const fs::path& dir) { return fs::is_regular_file(dir / "room.json"); }

Room load_or_create_room(const fs::path& dir) {
    if (room_exists(dir)) return load_room(dir);
    Room room;
    room.name = fs::absolute(dir).lexically_normal().filename().string();
    return room;
}

Room load_room(const fs::path& dir) {
    const fs::path file = dir / "room.json";
    if (!fs::is_directory(dir))
        throw Error("room " + dir.string() + " does not exist; measure or import into it first");
    if (!fs::is_regular_file(file))
        throw Error("room " + dir.string() + " has no room.json; it is not a roomcal room folder");
    const Reader r(file);
    json j;
    {
        std::ifstream in(file);
        try {
            j = json::parse(in);
        } catch (const json::parse_error& e) {
            throw Error(file.string() + ": not valid JSON (" + e.what() + "); fix it or re-create the room");
        }
    }
    if (!j.is_object()) r.fail("(top level)", "expected an object");
    if (!j.contains("format") || j["format"] != format_tag) r.fail("format", "this is not a roomcal room file");
    const double version = r.number(j, "(top level)", "schema_version");
    if (version > room_schema_version)
        r.fail("schema_version", "version " + std::to_string(static_cast<int>(version)) +
                                     " was written by a newer roomcal; update roomcal to read it");
    if (version < 1) r.fail("schema_version", "must be 1 or more");

    Room room;
    room.name = r.string(j, "(top level)", "name");
    if (j.contains("metadata")) {
        if (!j["metadata"].is_object()) r.fail("metadata", "expected an object of strings");
        for (const auto& [k, v] : j["metadata"].items()) {
            if (!v.is_string()) r.fail("metadata." + k, "expected a string");
            room.metadata[k] = v.get<std::string>();
        }
    }
    if (j.contains("mic_calibration")) {
        const auto& mc = r.field(j, "(top level)", "mic_calibration");
        room.mic_calibration.source = mc.contains("source") ? r.string(mc, "mic_calibration", "source") : "";
        room.mic_calibration.spl_offset_db = r.number_or(mc, "mic_calibration", "spl_offset_db", 0.0);
        room.mic_calibration.deviation = read_response(r, mc, "mic_calibration");
    }
    const auto& channels = r.array(j, "(top level)", "channels");
    for (std::size_t ci = 0; ci < channels.size(); ++ci) {
        const std::string cw = "channels[" + std::to_string(ci) + "]";
        RoomChannel ch;
        ch.name = r.string(channels[ci], cw, "name");
        if (room.find_channel(ch.name)) r.fail(cw, "channel \"" + ch.name + "\" appears twice");
        const auto& ms = r.array(channels[ci], cw, "measurements");
        for (std::size_t mi = 0; mi < ms.size(); ++mi) {
            const std::string mw = cw + ".measurements[" + std::to_string(mi) + "]";
            Measurement m;
            m.position = static_cast<int>(r.number(ms[mi], mw, "position"));
            if (m.position < 1) r.fail(mw + ".position", "positions are numbered from 1");
            if (ch.find_position(m.position)) r.fail(mw, "position " + std::to_string(m.position) + " appears twice");
            if (ms[mi].contains("label")) m.label = r.string(ms[mi], mw, "label");
            if (ms[mi].contains("timing")) m.timing = r.string(ms[mi], mw, "timing");
            m.delay_samples = r.number_or(ms[mi], mw, "delay_samples", 0.0);
            if (ms[mi].contains("impulse_response")) {
                const auto wav = checked_relative(r, dir, mw, r.string(ms[mi], mw, "impulse_response"));
                m.impulse_response.samples = read_mono(r, wav, mw, &m.impulse_response.sample_rate);
                m.impulse_response.reference_sample = r.number_or(ms[mi], mw, "reference_sample", 0.0);
                try {
                    m.impulse_response.validate(wav.string().c_str());
                } catch (const Error& e) {
                    r.fail(mw, e.what());
                }
            }
            if (ms[mi].contains("frequency_response"))
                m.frequency_response =
                    read_response(r, r.field(ms[mi], mw, "frequency_response"), mw + ".frequency_response");
            if (!m.has_impulse_response() && m.frequency_response.size() == 0)
                r.fail(mw, "needs an impulse_response or a frequency_response");
            ch.measurements.push_back(std::move(m));
        }
        room.channels.push_back(std::move(ch));
    }
    if (j.contains("targets")) {
        const auto& ts = j["targets"];
        if (!ts.is_object()) r.fail("targets", "expected an object of channel name to target");
        for (const auto& [name, jt] : ts.items()) {
            const std::string tw = "targets." + name;
            RoomTarget t;
            t.spec = r.string(jt, tw, "spec");
            if (jt.contains("curve")) t.curve = read_response(r, jt["curve"], tw + ".curve");
            room.targets[name] = std::move(t);
        }
    }
    if (j.contains("corrections")) {
        const auto& cs = r.array(j, "(top level)", "corrections");
        for (std::size_t si = 0; si < cs.size(); ++si) {
            const std::string sw = "corrections[" + std::to_string(si) + "]";
            FilterSet set;
            set.sample_rate = Hz(r.number(cs[si], sw, "sample_rate"));
            set.preamp_db = r.number_or(cs[si], sw, "preamp_db", 0.0);
            set.latency_samples = r.number_or(cs[si], sw, "latency_samples", 0.0);
            set.needs_limiter = r.boolean_or(cs[si], sw, "needs_limiter", false);
            if (cs[si].contains("description")) set.description = r.string(cs[si], sw, "description");
            if (room.correction_for(set.sample_rate))
                r.fail(sw, "a second correction for " + fmt(set.sample_rate.value) + " Hz");
            const auto& chs = r.array(cs[si], sw, "channels");
            for (std::size_t ci = 0; ci < chs.size(); ++ci) {
                const std::string cw = sw + ".channels[" + std::to_string(ci) + "]";
                ChannelFilter cf;
                cf.channel = r.string(chs[ci], cw, "channel");
                cf.gain_db = r.number_or(chs[ci], cw, "gain_db", 0.0);
                cf.delay_samples = r.number_or(chs[ci], cw, "delay_samples", 0.0);
                if (chs[ci].contains("biquads")) {
                    const auto& bq = r.array(chs[ci], cw, "biquads");
                    for (std::size_t bi = 0; bi < bq.size(); ++bi) {
                        const std::string bw = cw + ".biquads[" + std::to_string(bi) + "]";
                        cf.biquads.push_back({r.number(bq[bi], bw, "b0"), r.number(bq[bi], bw, "b1"),
                                              r.number(bq[bi], bw, "b2"), r.number(bq[bi], bw, "a1"),
                                              r.number(bq[bi], bw, "a2")});
                    }
                }
                if (chs[ci].contains("parametric")) {
                    const auto& ps = r.array(chs[ci], cw, "parametric");
                    for (std::size_t pi = 0; pi < ps.size(); ++pi) {
                        const std::string pw = cw + ".parametric[" + std::to_string(pi) + "]";
                        ParametricFilter p;
                        p.type = filter_type(r, pw, r.string(ps[pi], pw, "type"));
                        p.frequency_hz = r.number(ps[pi], pw, "frequency_hz");
                        p.q = r.number(ps[pi], pw, "q");
                        p.gain_db = r.number_or(ps[pi], pw, "gain_db", 0.0);
                        cf.parametric.push_back(p);
                    }
                }
                if (chs[ci].contains("fir")) {
                    const auto wav = checked_relative(r, dir, cw, r.string(chs[ci], cw, "fir"));
                    Hz rate;
                    cf.fir = read_mono(r, wav, cw, &rate);
                    if (std::abs(rate.value - set.sample_rate.value) > 0.5)
                        r.fail(cw, wav.filename().string() + " is at " + fmt(rate.value) +
                                       " Hz but the correction is for " + fmt(set.sample_rate.value) + " Hz");
                }
                set.channels.push_back(std::move(cf));
            }
            try {
                set.validate();
            } catch (const Error& e) {
                r.fail(sw, e.what());
            }
            room.corrections.push_back(std::move(set));
        }
    }
    return room;
}

void save_room(const Room& room, const fs::path& dir) {
    if (room.name.empty()) throw Error("cannot save a room without a name");
    for (const auto& ch : room.channels)
        for (const auto& m : ch.measurements) {
            const std::string what = "channel " + ch.name + " position " + std::to_string(m.position);
            if (m.has_impulse_response()) m.impulse_response.validate(what.c_str());
            if (m.frequency_response.size() > 0) m.frequency_response.validate(what.c_str());
            if (!m.has_impulse_response() && m.frequency_response.size() == 0)
                throw Error(what + " has neither an impulse response nor a frequency response");
        }
    if (!room.mic_calibration.empty()) room.mic_calibration.deviation.validate("mic calibration");
    for (const auto& set : room.corrections) set.validate();

    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error("cannot create room folder " + dir.string() + ": " + ec.message());

    std::set<fs::path> referenced;
    auto store = [&](const fs::path& rel, const std::vector<double>& samples, Hz rate) {
        const fs::path full = dir / rel;
        referenced.insert(full.lexically_normal());
        fs::create_directories(full.parent_path(), ec);
        if (ec) throw Error("cannot create folder " + full.parent_path().string() + ": " + ec.message());
        if (!fs::exists(full)) write_mono(full, samples, rate);
        return rel.generic_string();
    };

    json j;
    j["format"] = format_tag;
    j["schema_version"] = room_schema_version;
    j["name"] = room.name;
    j["metadata"] = room.metadata;
    if (!room.mic_calibration.empty()) {
        json mc = response_json(room.mic_calibration.deviation);
        mc["source"] = room.mic_calibration.source;
        mc["spl_offset_db"] = room.mic_calibration.spl_offset_db;
        j["mic_calibration"] = std::move(mc);
    }
    j["channels"] = json::array();
    for (const auto& ch : room.channels) {
        json jc{{"name", ch.name}, {"measurements", json::array()}};
        for (const auto& m : ch.measurements) {
            json jm{{"position", m.position}, {"delay_samples", m.delay_samples}};
            if (m.has_impulse_response()) {
                const auto& ir = m.impulse_response;
                const fs::path rel = fs::path("ir") / (safe_name(ch.name) + "-p" + std::to_string(m.position) + "-" +
                                                       content_tag(ir.samples, ir.sample_rate.value) + ".wav");
                jm["impulse_response"] = store(rel, ir.samples, ir.sample_rate);
                jm["reference_sample"] = ir.reference_sample;
            }
            if (m.frequency_response.size() > 0) jm["frequency_response"] = response_json(m.frequency_response);
            if (!m.label.empty()) jm["label"] = m.label;
            if (!m.timing.empty()) jm["timing"] = m.timing;
            jc["measurements"].push_back(std::move(jm));
        }
        j["channels"].push_back(std::move(jc));
    }
    if (!room.targets.empty()) {
        json jt = json::object();
        for (const auto& [name, t] : room.targets) {
            json one{{"spec", t.spec}};
            if (t.curve.size() > 0) one["curve"] = response_json(t.curve);
            jt[name] = std::move(one);
        }
        j["targets"] = std::move(jt);
    }
    j["corrections"] = json::array();
    for (const auto& set : room.corrections) {
        json js{{"sample_rate", set.sample_rate.value},
                {"preamp_db", set.preamp_db},
                {"needs_limiter", set.needs_limiter},
                {"latency_samples", set.latency_samples},
                {"channels", json::array()}};
        if (!set.description.empty()) js["description"] = set.description;
        for (const auto& cf : set.channels) {
            json jf{{"channel", cf.channel}, {"gain_db", cf.gain_db}, {"delay_samples", cf.delay_samples}};
            jf["biquads"] = json::array();
            for (const auto& q : cf.biquads)
                jf["biquads"].push_back({{"b0", q.b0}, {"b1", q.b1}, {"b2", q.b2}, {"a1", q.a1}, {"a2", q.a2}});
            if (!cf.parametric.empty()) {
                jf["parametric"] = json::array();
                for (const auto& p : cf.parametric)
                    jf["parametric"].push_back({{"type", short_name(p.type)},
                                                {"frequency_hz", p.frequency_hz},
                                                {"q", p.q},
                                                {"gain_db", p.gain_db}});
            }
            if (!cf.fir.empty()) {
                const auto rate = static_cast<long>(set.sample_rate.value);
                const fs::path rel = fs::path("fir") / (safe_name(cf.channel) + "-" + std::to_string(rate) + "-" +
                                                        content_tag(cf.fir, set.sample_rate.value) + ".wav");
                jf["fir"] = store(rel, cf.fir, set.sample_rate);
            }
            js["channels"].push_back(std::move(jf));
        }
        j["corrections"].push_back(std::move(js));
    }
    write_text_file_atomically(dir / "room.json", j.dump(2) + "\n");

    // Only after room.json points at the new files may the old ones go.
    for (const char* sub : {"ir", "fir"})
        for (const auto& entry : fs::directory_iterator(dir / sub, ec))
            if (entry.path().extension() == ".wav" && !referenced.count(entry.path().lexically_normal()))
                fs::remove(entry.path(), ec);
}

}  // namespace roomcal::io
