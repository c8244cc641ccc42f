package org.diffij.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where the Hugging Face hub and its cache are, read from the variables huggingface_hub reads
 * ({@code HF_HUB_CACHE}, {@code HF_HOME}, {@code HF_HUB_OFFLINE}, {@code HF_ENDPOINT}, {@code HF_TOKEN}),
 * so that Diffij and the Python tools share one cache. Built from a map so that tests give their own
 * variables instead of changing the process environment. The token never appears in {@link #toString()}.
 */
public final class HubSettings {

    /** The hub's address when {@code HF_ENDPOINT} is not set. */
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    private static final Set<String> TRUE_VALUES = Set.of("1", "on", "yes", "true");

    private final Path cache;
    private final Path home;
    private final boolean offline;
    private final String endpoint;
    private final String token;

    private HubSettings(Path cache, Path home, boolean offline, String endpoint, String token) {
        this.cache = cache;
        this.home = home;
        this.offline = offline;
        this.endpoint = endpoint;
        this.token = token;
    }

    /** The settings of this process: its environment and the user's home folder. */
    public static HubSettings fromEnvironment() {
        return of(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * Settings from these variables, with {@code userHome} standing for {@code ~}: the cache is
     * {@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}; the token is
     * {@code $HF_TOKEN}, else the content of {@code $HF_HOME/token} (where {@code huggingface-cli login} saves it).
     */
    public static HubSettings of(Map<String, String> variables, Path userHome) {
        Path home = Optional.ofNullable(blankToNull(variables.get("HF_HOME"))).map(Path::of)
                .orElse(userHome.resolve(".cache").resolve("huggingface"));
        Path cache = Optional.ofNullable(blankToNull(variables.get("HF_HUB_CACHE"))).map(Path::of)
                .orElse(home.resolve("hub"));
        String offline = blankToNull(variables.get("HF_HUB_OFFLINE"));
        String endpoint = Optional.ofNullable(blankToNull(variables.get("HF_ENDPOINT"))).orElse(DEFAULT_ENDPOINT);
        String token = blankToNull(variables.get("HF_TOKEN"));
        if (token == null) {
            token = savedToken(home.resolve("token"));
        }
        return new HubSettings(cache, home, offline != null && TRUE_VALUES.contains(offline.toLowerCase(Locale.ROOT)),
                endpoint.replaceAll("/+$", ""), token);
    }

    private static String savedToken(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return blankToNull(Files.readString(file, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            // An unreadable token file is the same as none: public repos still download, gated ones say to set a token.
            return null;
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** The hub cache folder ({@code models--org--name} folders live here). */
    public Path cache() {
        return cache;
    }

    /** {@code $HF_HOME}: where the token file is. */
    public Path home() {
        return home;
    }

    /** {@code HF_HUB_OFFLINE=1}: the cache only, no request. */
    public boolean offline() {
        return offline;
    }

    /** The hub's address without a trailing slash. */
    public String endpoint() {
        return endpoint;
    }

    /** The access token for gated and private repos, if any. */
    public Optional<String> token() {
        return Optional.ofNullable(token);
    }

    @Override
    public String toString() {
        return "hub " + endpoint + ", cache " + cache + (offline ? ", offline" : "")
                + (token == null ? ", no token" : ", token set");
    }
}
