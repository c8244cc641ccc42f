package org.diffij.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.measure.ResultsTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.diffij.DiffijException;
import org.diffij.hub.HubSettings;
import org.diffij.hub.ModelListing;
import org.diffij.hub.ModelPull;
import org.diffij.io.ModelHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models...: the table it builds from the hub cache and the model folders, and its progress bar. */
class ModelsWindowTest {

    private static final String COMMIT = "00112233445566778899aabbccddeeff00112233";

    @TempDir
    Path dir;

    private record Shown(double fraction, String status) {
    }

    private HubSettings hub(boolean offline) {
        return HubSettings.of(offline ? Map.of("HF_HUB_CACHE", dir.resolve("cache").toString(), "HF_HUB_OFFLINE", "1")
                : Map.of("HF_HUB_CACHE", dir.resolve("cache").toString()), dir.resolve("home"));
    }

    /** The folder's files as a hub cache snapshot of {@code org/tiny} on main: links into the golden folder. */
    private void cache(Path folder) throws IOException {
        Path repo = dir.resolve("cache/models--org--tiny");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path file : files) {
            Path link = repo.resolve("snapshots").resolve(COMMIT).resolve(folder.relativize(file).toString());
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, file);
        }
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), COMMIT, StandardCharsets.UTF_8);
    }

    private static int row(ResultsTable table, String place, String name) {
        for (int row = 0; row < table.size(); row++) {
            if (table.getStringValue("Place", row).equals(place) && name.equals(table.getStringValue("Name", row))) {
                return row;
            }
        }
        throw new AssertionError("no row " + place + " / " + name);
    }

    @Test
    void theTableListsTheHubCacheAndTheModelFoldersWithHashKindAndWhatIsMissing() throws IOException {
        Path golden = Path.of(HeadlessImageJ.model("tiny-sd15"));
        Path models = golden.getParent();
        cache(golden);
        List<Shown> shown = new ArrayList<>();
        List<ModelListing.Place> places = ModelListing.list(hub(true), List.of(models, dir.resolve("gone")),
                ModelsCommand.listing((fraction, status) -> shown.add(new Shown(fraction, status))));
        ResultsTable table = ModelsCommand.table(places);

        int snapshot = row(table, "hub cache " + dir.resolve("cache"), "org/tiny");
        assertEquals(ModelHash.of(golden).substring(0, 10), table.getStringValue("Hash", snapshot),
                "the snapshot holds the golden folder's files, so it has the folder's hash");
        assertEquals("diffusers pipeline StableDiffusionPipeline", table.getStringValue("Kind", snapshot));
        assertEquals("complete", table.getStringValue("Missing for a pipeline", snapshot));
        long bytes = 0;
        try (Stream<Path> walk = Files.walk(golden)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                bytes += Files.size(file);
            }
        }
        assertEquals(bytes / 1e6, table.getValue("Size (MB)", snapshot), 1e-9, "the bytes behind the snapshot's links");

        int sd15 = row(table, models.toString(), "tiny-sd15");
        assertTrue(table.getValue("Parameters (M)", sd15) > 0);
        assertTrue(table.getStringValue("Dtypes", sd15).startsWith("F32"), table.getStringValue("Dtypes", sd15));
        assertEquals(table.getStringValue("Dtypes", sd15), table.getStringValue("Dtypes", snapshot), "the same files");
        assertEquals(table.getStringValue("Hash", sd15), table.getStringValue("Hash", snapshot));
        int control = row(table, models.toString(), "tiny-controlnet-sd15");
        assertTrue(table.getStringValue("Kind", control).toLowerCase().contains("controlnet"),
                table.getStringValue("Kind", control));
        assertEquals("-", table.getStringValue("Missing for a pipeline", control), "a ControlNet is no pipeline");
        int gone = row(table, dir.resolve("gone").toString(), "");
        assertTrue(table.getStringValue("Kind", gone).contains("no such folder"), table.getStringValue("Kind", gone));

        int entries = places.stream().mapToInt(p -> p.entries().size()).sum();
        assertEquals(entries, shown.size(), "one progress step per entry");
        for (int i = 0; i < shown.size(); i++) {
            assertEquals((double) i / entries, shown.get(i).fraction(), 1e-12);
            assertTrue(shown.get(i).status().endsWith("(" + (i + 1) + " of " + entries + ")"), shown.get(i).status());
        }
        assertTrue(shown.get(0).status().contains("org/tiny"), "the hub cache comes first: " + shown.get(0));
    }

    @Test
    void aPullShowsItsBytesOnTheProgressBarAndEndsFull() {
        List<Shown> shown = new ArrayList<>();
        ModelPull.Progress progress = ModelsCommand.download((fraction, status) -> shown.add(new Shown(fraction,
                status)));
        long total = 3_000_000;
        for (long done = 65_536; done < total; done += 65_536) {
            progress.update("unet/diffusion_pytorch_model.safetensors", done, total, 2e6);
        }
        progress.update("unet/diffusion_pytorch_model.safetensors", total, total, 2e6);
        assertTrue(shown.size() < 45, "the status line is not redrawn for every 64 KiB: " + shown.size());
        assertEquals(new Shown(65_536.0 / total, "Pulling unet/diffusion_pytorch_model.safetensors: 0.1 MB of 3.0 MB, "
                + "2.0 MB/s"), shown.get(0));
        assertEquals(new Shown(1.0, "Pulling unet/diffusion_pytorch_model.safetensors: 3.0 MB of 3.0 MB, 2.0 MB/s"),
                shown.get(shown.size() - 1), "the last update always shows");

        DiffijException offline = assertThrows(DiffijException.class,
                () -> ModelsCommand.pull(hub(true), "org/tiny", "", (fraction, status) -> { }));
        assertTrue(offline.getMessage().contains("HF_HUB_OFFLINE=1 is set"), offline.getMessage());
        DiffijException notARepo = assertThrows(DiffijException.class,
                () -> ModelsCommand.pull(hub(false), "justaname", "", (fraction, status) -> { }));
        assertTrue(notARepo.getMessage().contains("not a hub repo id"), notARepo.getMessage());
    }
}
