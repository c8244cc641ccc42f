package org.diffij.hub;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A local HTTP server that answers like huggingface.co for the repos it is given: the revision API,
 * HEAD/GET of {@code resolve} URLs (LFS files: a 302 to a CDN path with X-Linked-Etag = SHA-256 and
 * X-Linked-Size; other files: ETag = git blob id), the CDN with Range requests, and the hub's error
 * codes for missing repos and revisions and gated repos, and the 307 of a renamed repo to its new name
 * (a relative redirect, as the hub's). It can break a download once part-way and can ignore ranges; it
 * records every request.
 */
public final class FakeHub implements AutoCloseable {

    /** One request as the server saw it. */
    public record Request(String method, String path, String range, String authorization) {
    }

    private record Served(byte[] bytes, String etag, boolean lfs) {
    }

    private record Repo(String commit, Map<String, Served> files, boolean gated) {
    }

    private final HttpServer server;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, Served> cdn = new ConcurrentHashMap<>();
    private final Map<String, String> renamed = new ConcurrentHashMap<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> breakOnce = ConcurrentHashMap.newKeySet();
    private volatile boolean ignoreRanges;
    private volatile String acceptedToken;

    public FakeHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Serves the folder's files as the repo at this commit (on branch main). */
    public FakeHub serve(String repo, Path folder, String commit, boolean gated) throws IOException {
        Map<String, Served> files = new LinkedHashMap<>();
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(folder)) {
            paths = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path path : paths) {
            files.put(folder.relativize(path).toString().replace('\\', '/'), served(Files.readAllBytes(path),
                    path.getFileName().toString().endsWith(".safetensors")));
        }
        return serve(repo, files, commit, gated);
    }

    /** Serves these files (path → content) as the repo; safetensors files are LFS files. */
    public FakeHub serveFiles(String repo, Map<String, byte[]> contents, String commit) {
        Map<String, Served> files = new LinkedHashMap<>();
        contents.forEach((path, bytes) -> files.put(path, served(bytes, path.endsWith(".safetensors"))));
        return serve(repo, files, commit, false);
    }

    private FakeHub serve(String repo, Map<String, Served> files, String commit, boolean gated) {
        repos.put(repo, new Repo(commit, files, gated));
        files.values().stream().filter(Served::lfs).forEach(s -> cdn.put(s.etag(), s));
        return this;
    }

    /** The repo {@code from} was renamed to {@code to}: requests for it are redirected (307, relative) there. */
    public FakeHub rename(String from, String to) {
        renamed.put(from, to);
        return this;
    }

    /** The next CDN download of this file stops after half its bytes, as a dropped connection does. */
    public void breakNextDownloadOf(String sha256) {
        breakOnce.add(sha256);
    }

    /** Answers ranged requests with the whole file (200), as some proxies do. */
    public void ignoreRanges(boolean ignore) {
        ignoreRanges = ignore;
    }

    /** Gated repos answer to this bearer token only. */
    public void acceptToken(String token) {
        acceptedToken = token;
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Served served(byte[] bytes, boolean lfs) {
        return new Served(bytes, lfs ? sha256(bytes) : gitBlobId(bytes), lfs);
    }

    /** The id git gives a blob: SHA-1 of "blob SIZE\0" and the content (the hub's ETag of non-LFS files). */
    private static String gitBlobId(byte[] bytes) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(("blob " + bytes.length + "\0").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha1.digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        requests.add(new Request(exchange.getRequestMethod(), path, exchange.getRequestHeaders().getFirst("Range"),
                exchange.getRequestHeaders().getFirst("Authorization")));
        try (exchange) {
            if (path.startsWith("/api/models/")) {
                revision(exchange, path.substring("/api/models/".length()));
            } else if (path.startsWith("/cdn/")) {
                Served file = cdn.get(path.substring("/cdn/".length()));
                if (file == null) {
                    error(exchange, 404, "EntryNotFound");
                } else {
                    sendContent(exchange, file);
                }
            } else {
                resolve(exchange, path.substring(1));
            }
        }
    }

    private void revision(HttpExchange exchange, String rest) throws IOException {
        int marker = rest.indexOf("/revision/");
        if (marker >= 0 && renamed.containsKey(rest.substring(0, marker))) {
            redirect(exchange, "/api/models/" + renamed.get(rest.substring(0, marker)) + rest.substring(marker));
            return;
        }
        Repo repo = marker < 0 ? null : repos.get(rest.substring(0, marker));
        if (repo == null) {
            error(exchange, 401, "RepoNotFound");
            return;
        }
        String revision = java.net.URLDecoder.decode(rest.substring(marker + "/revision/".length()),
                StandardCharsets.UTF_8);
        if (!revision.equals("main") && !revision.equals(repo.commit())) {
            error(exchange, 404, "RevisionNotFound");
            return;
        }
        JsonObject json = new JsonObject();
        json.addProperty("id", rest.substring(0, marker));
        json.addProperty("sha", repo.commit());
        JsonArray siblings = new JsonArray();
        repo.files().keySet().forEach(name -> {
            JsonObject sibling = new JsonObject();
            sibling.addProperty("rfilename", name);
            siblings.add(sibling);
        });
        json.add("siblings", siblings);
        byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    /** {@code org/name/resolve/{rev}/{file}}. */
    private void resolve(HttpExchange exchange, String rest) throws IOException {
        String[] parts = rest.split("/", 5);
        String renamedTo = parts.length == 5 ? renamed.get(parts[0] + "/" + parts[1]) : null;
        if (renamedTo != null) {
            redirect(exchange, "/" + renamedTo + "/" + parts[2] + "/" + parts[3] + "/" + parts[4]);
            return;
        }
        Repo repo = parts.length == 5 && parts[2].equals("resolve") ? repos.get(parts[0] + "/" + parts[1]) : null;
        if (repo == null) {
            error(exchange, 401, "RepoNotFound");
            return;
        }
        if (repo.gated() && (acceptedToken == null || !("Bearer " + acceptedToken).equals(
                exchange.getRequestHeaders().getFirst("Authorization")))) {
            error(exchange, 403, "GatedRepo");
            return;
        }
        if (!parts[3].equals("main") && !parts[3].equals(repo.commit())) {
            error(exchange, 404, "RevisionNotFound");
            return;
        }
        Served file = repo.files().get(java.net.URLDecoder.decode(parts[4], StandardCharsets.UTF_8));
        if (file == null) {
            error(exchange, 404, "EntryNotFound");
            return;
        }
        exchange.getResponseHeaders().set("X-Repo-Commit", repo.commit());
        if (file.lfs()) {
            exchange.getResponseHeaders().set("X-Linked-Etag", "\"" + file.etag() + "\"");
            exchange.getResponseHeaders().set("X-Linked-Size", String.valueOf(file.bytes().length));
            exchange.getResponseHeaders().set("ETag", "\"not-the-lfs-etag\"");
            // The CDN is another host for the hub: an absolute address, which clients do not follow on HEAD.
            exchange.getResponseHeaders().set("Location", endpoint() + "/cdn/" + file.etag());
            exchange.sendResponseHeaders(302, -1);
            return;
        }
        exchange.getResponseHeaders().set("ETag", "\"" + file.etag() + "\"");
        if (exchange.getRequestMethod().equals("HEAD")) {
            // As the hub: the size of a HEAD's file in Content-Length (which HttpServer keeps for HEAD answers).
            exchange.getResponseHeaders().set("Content-Length", String.valueOf(file.bytes().length));
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        sendContent(exchange, file);
    }

    private void sendContent(HttpExchange exchange, Served file) throws IOException {
        String range = exchange.getRequestHeaders().getFirst("Range");
        int from = 0;
        if (range != null && !ignoreRanges && range.startsWith("bytes=") && range.endsWith("-")) {
            from = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
            exchange.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (file.bytes().length - 1)
                    + "/" + file.bytes().length);
            exchange.sendResponseHeaders(206, file.bytes().length - from);
        } else {
            exchange.sendResponseHeaders(200, file.bytes().length);
        }
        OutputStream body = exchange.getResponseBody();
        if (breakOnce.remove(file.etag())) {
            body.write(file.bytes(), from, (file.bytes().length - from) / 2);
            body.flush();
            // Java's HttpClient drops what it received but its reader has not taken yet once the connection
            // fails; a pause first lets the client read every byte sent, as after a stall before a real drop.
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // Closing the connection with bytes missing is what the client sees when the network drops.
            throw new IOException("connection dropped on purpose");
        }
        body.write(file.bytes(), from, file.bytes().length - from);
    }

    /** A renamed repo's answer: a relative 307 with no metadata, which huggingface_hub follows even on HEAD. */
    private static void redirect(HttpExchange exchange, String location) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        exchange.sendResponseHeaders(307, -1);
    }

    private static void error(HttpExchange exchange, int status, String code) throws IOException {
        byte[] body = ("{\"error\":\"" + code + "\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("X-Error-Code", code);
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
