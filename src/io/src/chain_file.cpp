// chain.json reading and writing (nlohmann-json), with every key checked.
#include "roomcal/io/chain_file.hpp"

#include <nlohmann/json.hpp>

#include <initializer_list>

#include "roomcal/core/atomic_file.hpp"
#include "roomcal/core/error.hpp"
#include "text_file.hpp"

namespace roomcal::io {
namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const std::string& source, const std::string& where, const std::string& what) {
    throw Error(source + ": " + (where.empty() ? "" : where + ": ") + what + "; fix the file or save the chain again");
}

void known_keys(const std::string& source, const std::string& where, const json& obj,
                std::initializer_list<const char*> keys) {
    if (!obj.is_object()) fail(source, where, "expected an object");
    for (const auto& [k, v] : obj.items()) {
        bool ok = false;
        std::string list;
        for (const char* key : keys) {
            ok = ok || k == key;
            list += (list.empty() ? "" : ", ") + std::string(key);
        }
        if (!ok) fail(source, where, "unknown key \"" + k + "\" (known: " + list + ")");
    }
}

double number(const std::string& source, const std::string& where, const json& obj, const char* key, double fallback) {
    if (!obj.contains(key)) return fallback;
    const auto& v = obj.at(key);
    if (!v.is_number()) fail(source, where + "." + key, "expected a number");
    return v.get<double>();
}

bool flag(const std::string& source, const std::string& where, const json& obj, const char* key, bool fallback) {
    if (!obj.contains(key)) return fallback;
    const auto& v = obj.at(key);
    if (!v.is_boolean()) fail(source, where + "." + key, "expected true or false");
    return v.get<bool>();
}

FilterType filter_type(const std::string& source, const std::string& where, const json& v) {
    if (!v.is_string()) fail(source, where + ".type", "expected a string");
    const auto name = v.get<std::string>();
    for (auto t : {FilterType::peaking, FilterType::low_shelf, FilterType::high_shelf, FilterType::low_pass,
                   FilterType::high_pass})
        if (name == short_name(t)) return t;
    fail(source, where + ".type", "\"" + name + "\" is not a filter type (PK, LS, HS, LP or HP)");
}

}  // namespace

MasteringChain parse_chain(const std::string& text, const std::string& source) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        fail(source, "", std::string("not valid JSON (") + e.what() + ")");
    }
    known_keys(source, "", j, {"roomcal_chain", "eq", "makeup_db", "limiter"});
    if (j.contains("roomcal_chain") && (!j["roomcal_chain"].is_number_integer() || j["roomcal_chain"].get<int>() != 1))
        fail(source, "roomcal_chain", "this version reads chain format 1");
    MasteringChain c;
    if (j.contains("eq")) {
        if (!j["eq"].is_array()) fail(source, "eq", "expected a list of bands");
        for (std::size_t i = 0; i < j["eq"].size(); ++i) {
            const auto& b = j["eq"][i];
            const std::string where = "eq[" + std::to_string(i) + "]";
            known_keys(source, where, b, {"type", "frequency_hz", "q", "gain_db", "enabled"});
            ChainBand band;
            if (!b.contains("type")) fail(source, where, "a band needs a \"type\"");
            band.filter.type = filter_type(source, where, b["type"]);
            band.filter.frequency_hz = number(source, where, b, "frequency_hz", band.filter.frequency_hz);
            band.filter.q = number(source, where, b, "q", band.filter.q);
            band.filter.gain_db = number(source, where, b, "gain_db", 0.0);
            band.enabled = flag(source, where, b, "enabled", true);
            c.eq.push_back(band);
        }
    }
    c.makeup_db = number(source, "", j, "makeup_db", c.makeup_db);
    if (j.contains("limiter")) {
        const auto& l = j["limiter"];
        known_keys(source, "limiter", l, {"enabled", "ceiling_dbtp", "release_ms", "input_gain_db"});
        c.limiter.enabled = flag(source, "limiter", l, "enabled", c.limiter.enabled);
        c.limiter.ceiling_dbtp = number(source, "limiter", l, "ceiling_dbtp", c.limiter.ceiling_dbtp);
        c.limiter.release_ms = number(source, "limiter", l, "release_ms", c.limiter.release_ms);
        c.limiter.input_gain_db = number(source, "limiter", l, "input_gain_db", c.limiter.input_gain_db);
    }
    try {
        c.validate();
    } catch (const UsageError& e) {
        fail(source, "", e.what());
    }
    return c;
}

MasteringChain read_chain(const std::filesystem::path& path) {
    return parse_chain(text::read_whole_file(path), path.string());
}

std::string chain_json(const MasteringChain& c) {
    json eq = json::array();
    for (const auto& b : c.eq)
        eq.push_back({{"type", short_name(b.filter.type)},
                      {"frequency_hz", b.filter.frequency_hz},
                      {"q", b.filter.q},
                      {"gain_db", b.filter.gain_db},
                      {"enabled", b.enabled}});
    const json j{{"roomcal_chain", 1},
                 {"eq", eq},
                 {"makeup_db", c.makeup_db},
                 {"limiter",
                  {{"enabled", c.limiter.enabled},
                   {"ceiling_dbtp", c.limiter.ceiling_dbtp},
                   {"release_ms", c.limiter.release_ms},
                   {"input_gain_db", c.limiter.input_gain_db}}}};
    return j.dump(2) + "\n";
}

void write_chain(const MasteringChain& chain, const std::filesystem::path& path) {
    chain.validate();
    write_text_file_atomically(path, chain_json(chain));
}

}  // namespace roomcal::io
