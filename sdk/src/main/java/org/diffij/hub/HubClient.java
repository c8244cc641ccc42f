package org.diffij.hub;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.diffij.DiffijException;

/**
 * The hub's HTTP protocol as huggingface_hub speaks it: {@code GET /api/models/{repo}/revision/{rev}}
 * for the commit and file list, {@code HEAD /{repo}/resolve/{commit}/{file}} for a file's etag, size and
 * download address (a redirect to the CDN for LFS files), and ranged GETs of that address. The hub's
 * refusals become one-line messages that say what to do.
 */
final class HubClient {

    /** The commit a revision is at and the files of the repo there. */
    record RevisionInfo(String commit, List<String> files) {
    }

    /**
     * What a HEAD of a file says: the etag that names its blob (the SHA-256 for LFS files, the git blob
     * id otherwise), its size (-1 when not given), the address to download it from.
     */
    record FileMetadata(String file, String commit, String etag, long size, URI download) {

        /** LFS files are named by their SHA-256, which the download is checked against. */
        boolean isLfs() {
            return etag.matches("[0-9a-f]{64}");
        }
    }

    /** A response to a ranged download: the body and whether it continues the partial file (206). */
    record Download(InputStream body, boolean resumed, long length) {
    }

    /**
     * At most this many relative redirects are followed by a HEAD (a repo renamed more than once redirects
     * once per rename); more is a loop.
     */
    private static final int MAX_RELATIVE_REDIRECTS = 10;

    private final HubSettings settings;
    private final HttpClient http;

    HubClient(HubSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    RevisionInfo revision(RepoReference reference) {
        URI uri = URI.create(settings.endpoint() + "/api/models/" + reference.repo() + "/revision/"
                + URLEncoder.encode(reference.revision(), StandardCharsets.UTF_8));
        HttpResponse<String> response = send(request(uri).GET().build(), HttpResponse.BodyHandlers.ofString(),
                reference, null);
        try {
            JsonObject json = JsonParser.parseString(response.body()).getAsJsonObject();
            List<String> files = new ArrayList<>();
            for (JsonElement sibling : json.getAsJsonArray("siblings")) {
                String file = sibling.getAsJsonObject().get("rfilename").getAsString();
                // The names become paths in the snapshot: none may leave it.
                if (file.startsWith("/") || file.contains("\\") || List.of(file.split("/")).contains("..")) {
                    throw new DiffijException(uri + " lists the file '" + file + "', which would be written outside "
                            + "the snapshot folder: check HF_ENDPOINT (" + settings.endpoint() + ")");
                }
                files.add(file);
            }
            return new RevisionInfo(json.get("sha").getAsString(), files);
        } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException e) {
            throw new DiffijException(uri + " did not answer like the hub (no commit sha and file list): check "
                    + "HF_ENDPOINT (" + settings.endpoint() + ")", e);
        }
    }

    FileMetadata head(RepoReference reference, String commit, String file) {
        URI uri = resolveUri(reference, commit, file);
        // Redirects are not followed by the client: the answer before the CDN redirect carries the LFS headers.
        HttpClient noRedirects = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<Void> response = headOnce(noRedirects, uri, reference, file);
        // As huggingface_hub: a relative redirect stays on the hub (a renamed repo answers 307 to its new name),
        // so it is followed and the final answer gives the metadata; an absolute one is the CDN to download from.
        for (int hops = 0; isRedirect(response) && relativeLocation(response).isPresent(); hops++) {
            if (hops == MAX_RELATIVE_REDIRECTS) {
                throw new DiffijException(resolveUri(reference, commit, file) + " redirected more than "
                        + MAX_RELATIVE_REDIRECTS + " times on the hub: check HF_ENDPOINT (" + settings.endpoint() + ")");
            }
            uri = uri.resolve(relativeLocation(response).get());
            response = headOnce(noRedirects, uri, reference, file);
        }
        HttpResponse<Void> answer = response;
        URI answered = uri;
        String etag = header(answer, "X-Linked-Etag").or(() -> header(answer, "ETag")).map(HubClient::normalizeEtag)
                .orElseThrow(() -> new DiffijException(answered + " gave no ETag: the hub or a proxy in between does "
                        + "not answer like huggingface.co; check HF_ENDPOINT (" + settings.endpoint() + ")"));
        long size = header(answer, "X-Linked-Size").or(() -> header(answer, "Content-Length"))
                .map(Long::parseLong).orElse(-1L);
        URI download = isRedirect(answer) ? header(answer, "Location").map(answered::resolve).orElse(answered)
                : answered;
        return new FileMetadata(file, header(answer, "X-Repo-Commit").orElse(commit), etag, size, download);
    }

    private HttpResponse<Void> headOnce(HttpClient client, URI uri, RepoReference reference, String file) {
        HttpRequest request = request(uri).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept-Encoding", "identity").build();
        return send(client, request, HttpResponse.BodyHandlers.discarding(), reference, file);
    }

    private static boolean isRedirect(HttpResponse<?> response) {
        return response.statusCode() / 100 == 3;
    }

    /** The Location of a redirect that names no host: a path on the hub itself. */
    private static Optional<String> relativeLocation(HttpResponse<?> response) {
        return header(response, "Location").filter(location -> {
            try {
                return URI.create(location).getHost() == null;
            } catch (IllegalArgumentException e) {
                return false;
            }
        });
    }

    /** Starts downloading from {@code offset}; the server may ignore the range and send the whole file (200). */
    Download download(RepoReference reference, FileMetadata file, long offset) {
        HttpRequest.Builder builder = request(file.download()).GET().header("Accept-Encoding", "identity");
        if (offset > 0) {
            builder.header("Range", "bytes=" + offset + "-");
        }
        HttpResponse<InputStream> response = send(http, builder.build(), HttpResponse.BodyHandlers.ofInputStream(),
                reference, file.file(), 416);
        if (response.statusCode() == 416) {
            closeQuietly(response.body());
            return download(reference, file, 0);
        }
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        return new Download(response.body(), response.statusCode() == 206, length);
    }

    private URI resolveUri(RepoReference reference, String commit, String file) {
        StringBuilder path = new StringBuilder();
        for (String part : file.split("/")) {
            path.append('/').append(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return URI.create(settings.endpoint() + "/" + reference.repo() + "/resolve/" + commit + path);
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).header("User-Agent", "diffij");
        settings.token().ifPresent(token -> builder.header("Authorization", "Bearer " + token));
        return builder;
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body, RepoReference reference,
            String file) {
        return send(http, request, body, reference, file);
    }

    private <T> HttpResponse<T> send(HttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> body,
            RepoReference reference, String file, int... accepted) {
        HttpResponse<T> response;
        try {
            response = client.send(request, body);
        } catch (ConnectException | HttpConnectTimeoutException | UnresolvedAddressException e) {
            throw noNetwork(e);
        } catch (IOException e) {
            if (e.getCause() instanceof UnresolvedAddressException || e.getCause() instanceof ConnectException) {
                throw noNetwork(e);
            }
            throw new DiffijException("the connection to " + settings.endpoint() + " broke (" + e.getMessage()
                    + "): run the same command again", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DiffijException("interrupted: run the same command again to resume", e);
        }
        int status = response.statusCode();
        for (int code : accepted) {
            if (status == code) {
                return response;
            }
        }
        if (status / 100 == 2 || status / 100 == 3 && request.method().equals("HEAD")) {
            return response;
        }
        if (response.body() instanceof InputStream stream) {
            closeQuietly(stream);
        }
        if (isRedirect(response)) {
            // Java's client hands back the last redirect once it stops following (after 5): the hub never
            // redirects that often, so the names redirect to each other.
            throw new DiffijException(request.uri() + " redirects in a loop (a repo renamed to a name that "
                    + "redirects back, or a proxy): check the repo's name on its hub page and HF_ENDPOINT ("
                    + settings.endpoint() + ")");
        }
        throw refusal(response, reference, file);
    }

    private DiffijException noNetwork(Exception e) {
        return new DiffijException("cannot reach " + settings.endpoint() + " (no network?): connect and run the same "
                + "command again, or set HF_HUB_OFFLINE=1 to use only what the cache has", e);
    }

    private DiffijException refusal(HttpResponse<?> response, RepoReference reference, String file) {
        String code = header(response, "X-Error-Code").orElse("");
        int status = response.statusCode();
        String page = settings.endpoint() + "/" + reference.repo();
        if (code.equals("GatedRepo")) {
            return new DiffijException(reference.repo() + " is gated: accept its licence on " + page + " while "
                    + "logged in, then set HF_TOKEN (or save a token with huggingface-cli login) and run again"
                    + (settings.token().isPresent() ? " (the token given has no access yet)" : ""));
        }
        if (code.equals("RevisionNotFound")) {
            return new DiffijException("revision '" + reference.revision() + "' not found in " + reference.repo()
                    + ": check the branch, tag or commit on " + page);
        }
        if (code.equals("EntryNotFound")) {
            return new MissingFile(reference.repo() + " has no file " + file + " at revision "
                    + reference.revision() + ": check the name on " + page);
        }
        if (status == 401 || status == 404 || code.equals("RepoNotFound")) {
            return new DiffijException(reference.repo() + " not found on " + settings.endpoint() + ", or it is "
                    + "private: check the name, or set HF_TOKEN to a token that can read it");
        }
        if (status == 403) {
            return new DiffijException(reference.repo() + ": access refused (HTTP 403) by " + settings.endpoint()
                    + ": set HF_TOKEN to a token with read access");
        }
        return new DiffijException(settings.endpoint() + " answered HTTP " + status + " for " + reference
                + (file == null ? "" : " " + file) + ": try again later");
    }

    /** The hub's answer that the repo and revision exist but this file does not (404 EntryNotFound). */
    static final class MissingFile extends DiffijException {
        MissingFile(String message) {
            super(message);
        }
    }

    private static Optional<String> header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name);
    }

    /** huggingface_hub's etag: without the weak marker and quotes. */
    private static String normalizeEtag(String etag) {
        String value = etag.strip();
        if (value.startsWith("W/")) {
            value = value.substring(2);
        }
        return value.replace("\"", "");
    }

    private static void closeQuietly(InputStream stream) {
        try {
            stream.close();
        } catch (IOException ignored) {
            // The answer was already read or refused; a failing close changes nothing.
        }
    }
}
