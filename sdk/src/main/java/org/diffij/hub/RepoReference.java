package org.diffij.hub;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffij.DiffijException;

/**
 * A model on the hub as users name it: {@code org/name}, optionally {@code @revision} (a branch, tag
 * or commit) and {@code :path} (a subfolder or file inside the repo), e.g.
 * {@code stabilityai/sdxl-vae@main:diffusion_pytorch_model.safetensors}.
 *
 * @param repo     {@code org/name}
 * @param revision the branch, tag or commit; {@code main} when not given
 * @param path     the subfolder or file inside the repo, or empty for the whole repo
 */
public record RepoReference(String repo, String revision, String path) {

    /** The branch huggingface_hub uses when none is given. */
    public static final String DEFAULT_REVISION = "main";

    // The hub's repo id rules: letters, digits, '-', '_', '.'; no '--' or '..' (they would clash with the cache's names).
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?");
    private static final Pattern REFERENCE = Pattern.compile("([^/@:]+)/([^/@:]+)(?:@([^:]+))?(?::(.+))?");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    /** The reference in this text, or empty when it does not have the form of a repo id. */
    public static Optional<RepoReference> parse(String text) {
        Matcher m = REFERENCE.matcher(text.strip());
        if (!m.matches() || !validPart(m.group(1)) || !validPart(m.group(2))) {
            return Optional.empty();
        }
        String path = m.group(4) == null ? "" : m.group(4).replace('\\', '/').replaceAll("^/+|/+$", "");
        if (path.contains("..")) {
            return Optional.empty();
        }
        return Optional.of(new RepoReference(m.group(1) + "/" + m.group(2),
                m.group(3) == null ? DEFAULT_REVISION : m.group(3), path));
    }

    /** As {@link #parse(String)}, for text that must be a repo id (the argument of {@code models pull}). */
    public static RepoReference require(String text) {
        return parse(text).orElseThrow(() -> new DiffijException("'" + text + "' is not a hub repo id: write "
                + "org/name, optionally @revision and :subfolder, e.g. stable-diffusion-v1-5/stable-diffusion-v1-5"));
    }

    private static boolean validPart(String part) {
        return part.length() <= 96 && PART.matcher(part).matches() && !part.contains("--") && !part.contains("..");
    }

    /** Whether the revision is a full commit hash (then no ref needs to be read). */
    public boolean revisionIsCommit() {
        return COMMIT.matcher(revision).matches();
    }

    /** The repo's folder name in the cache: {@code models--org--name}. */
    public String cacheFolderName() {
        return "models--" + repo.replace("/", "--");
    }

    @Override
    public String toString() {
        return repo + (revision.equals(DEFAULT_REVISION) ? "" : "@" + revision) + (path.isEmpty() ? "" : ":" + path);
    }
}
