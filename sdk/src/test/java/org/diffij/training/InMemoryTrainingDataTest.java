package org.diffij.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.List;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.image.ImageFiles;
import org.diffij.io.SafetensorsFile;
import org.diffij.nn.Autograd;
import org.diffij.parity.Golden;
import org.diffij.pipelines.StableDiffusionModel;
import org.diffij.schedulers.NoiseSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training data given in memory (as the Fiji commands give open images): framing, captions, masks, provenance. */
class InMemoryTrainingDataTest {

    @TempDir
    Path dir;

    private static ImageFiles.Page page(int width, int height, int seed) {
        int[] rgb = new int[width * height];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = ((i * 7 + seed) & 0xff) << 16 | ((i / width * 5) & 0xff) << 8 | ((i + seed * 31) & 0xff);
        }
        return new ImageFiles.Page(width, height, rgb);
    }

    /** 255 inside the rectangle [x0, x1) x [y0, y1), 0 elsewhere. */
    private static int[] rectangle(int width, int height, int x0, int y0, int x1, int y1) {
        int[] mask = new int[width * height];
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                mask[y * width + x] = 255;
            }
        }
        return mask;
    }

    private TrainingRequest request(String extra) {
        return TrainingRequest.fromMacroOptions("method=lora model=[" + Golden.manifest().modelPath("tiny-sd15")
                + "] data=[stack:cells] output=[" + dir.resolve("cells.safetensors") + "] resolution=64 " + extra);
    }

    @Test
    void samplesAreFramedAndCaptionedLikeFilesAndTheirMasksFollowTheFraming() {
        ImageFiles.Page wide = page(128, 64, 1);
        List<ImageSample> samples = List.of(
                new ImageSample("cells", "cells slice 1", "mitosis", wide, rectangle(128, 64, 64, 0, 128, 32),
                        "slice 1"),
                new ImageSample("cells", "cells slice 2", "interphase", page(64, 64, 2), null, "slice 2"));
        TrainingData data = TrainingData.fromSamples(samples, request("template=[a micrograph of [name], [filewords]]"));
        assertEquals(2, data.samplesPerEpoch());
        TrainingData.Item first = data.items().get(0);
        assertEquals("a micrograph of cells, mitosis", first.caption());
        assertEquals(new TrainingData.Framing(128, 64, 128, 64, 32, 0, 64, 64), first.framing());
        assertEquals(TrainingImages.pixelHash(wide), first.pixelHash());
        assertEquals("cells", first.group());
        assertTrue(first.masked());
        assertTrue(!data.items().get(1).masked());
        DiffijEngine.get().queue().run("in-memory data", ctx -> {
            NDManager m = ctx.manager();
            float[] mask = TrainingData.lossMask(m, new TrainingData.Sample(first, "", false)).orElseThrow()
                    .toFloatArray();
            // The centre crop starts at x = 32: the mask's right half of the top rows is x >= 32 of the crop.
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    assertEquals(y < 32 && x >= 32 ? 1f : 0f, mask[y * 64 + x], "mask at " + x + "," + y);
                }
            }
            float[] pixels = TrainingData.pixels(m, new TrainingData.Sample(first, "", false)).toFloatArray();
            int rgb = wide.rgb()[5 * 128 + 32 + 7];
            assertEquals(((rgb >> 16) & 0xff) / 127.5f - 1f, pixels[5 * 64 + 7], 1e-6f);
            assertTrue(TrainingData.lossMask(m, new TrainingData.Sample(data.items().get(1), "", false)).isEmpty());
            return null;
        });
    }

    @Test
    void changedPixelsOrMasksChangeTheFingerprintAndBadSamplesAreRefused() {
        TrainingRequest request = request("");
        ImageFiles.Page a = page(64, 64, 3);
        String plain = TrainingData.fromSamples(List.of(new ImageSample("s", "s 1", "x", a, null, "")), request)
                .fingerprint();
        int[] changed = a.rgb().clone();
        changed[100] ^= 1;
        assertNotEquals(plain, TrainingData.fromSamples(List.of(new ImageSample("s", "s 1", "x",
                new ImageFiles.Page(64, 64, changed), null, "")), request).fingerprint());
        assertNotEquals(plain, TrainingData.fromSamples(List.of(new ImageSample("s", "s 1", "x", a,
                rectangle(64, 64, 0, 0, 8, 8), "")), request).fingerprint());
        assertEquals(plain, TrainingData.fromSamples(List.of(new ImageSample("s", "s 1", "x", a, null, "")), request)
                .fingerprint());
        DiffijException twice = assertThrows(DiffijException.class, () -> TrainingData.fromSamples(List.of(
                new ImageSample("s", "s 1", "x", a, null, ""), new ImageSample("s", "s 1", "y", a, null, "")), request));
        assertTrue(twice.getMessage().contains("both named 's 1'"), twice.getMessage());
        DiffijException empty = assertThrows(DiffijException.class, () -> new ImageSample("s", "s 1", "x", a,
                new int[64 * 64], ""));
        assertTrue(empty.getMessage().contains("the loss mask is empty"), empty.getMessage());
        DiffijException small = assertThrows(DiffijException.class, () -> new ImageSample("s", "dot", "x",
                page(4, 4, 0), null, ""));
        assertTrue(small.getMessage().startsWith("dot: the image is 4x4"), small.getMessage());
        assertThrows(DiffijException.class, () -> TrainingData.fromSamples(List.of(), request));
    }

    @Test
    void aMaskedLossIsTheMeanSquaredErrorInsideTheMaskOnly() {
        Path path = Golden.manifest().modelPath("tiny-sd15");
        DiffijEngine.get().queue().run("masked loss", ctx -> {
            NDManager m = ctx.manager();
            StableDiffusionModel model = StableDiffusionModel.load(path, m, DataType.FLOAT32);
            ctx.engine().seed(5);
            NoiseSchedule schedule = NoiseSchedule.forTraining(model.schedulerConfig());
            DenoisingObjective objective = new DenoisingObjective(model.unet(), model.textEncoder(), schedule,
                    schedule.predictionType(), 0);
            NDArray latents = m.randomNormal(new Shape(1, 4, 8, 8));
            NDArray noise = m.randomNormal(latents.getShape());
            NDArray timesteps = m.create(new long[] {400});
            long[] ids = model.tokenizer().encodePadded("a cell").ids();
            NDArray inputIds = m.create(ids, new Shape(1, ids.length));
            float[] inside = new float[64];
            for (int i = 0; i < 64; i++) {
                inside[i] = i % 8 < 3 && i / 8 < 5 ? 1 : 0;
            }
            NDArray mask = m.create(inside, new Shape(1, 1, 8, 8));
            DenoisingObjective.Result masked = Autograd.computeUntracked(() -> objective.evaluate(
                    new DenoisingObjective.Batch(latents, noise, timesteps, inputIds, mask),
                    DenoisingObjective.Trainables.NONE));
            DenoisingObjective.Result whole = Autograd.computeUntracked(() -> objective.evaluate(
                    new DenoisingObjective.Batch(latents, noise, timesteps, inputIds, null),
                    DenoisingObjective.Trainables.NONE));
            float[] p = masked.prediction().toFloatArray();
            float[] t = masked.target().toFloatArray();
            double sumInside = 0;
            double sumAll = 0;
            for (int i = 0; i < p.length; i++) {
                double squared = (p[i] - t[i]) * (double) (p[i] - t[i]);
                sumAll += squared;
                if (inside[i % 64] == 1) {
                    sumInside += squared;
                }
            }
            int counted = 4 * 15;
            assertEquals(sumInside / counted, masked.loss().getFloat(), 1e-5 * sumInside / counted);
            assertEquals(sumAll / p.length, whole.loss().getFloat(), 1e-5 * sumAll / p.length);
            assertNotEquals(masked.loss().getFloat(), whole.loss().getFloat(), "the mask takes effect");
            return null;
        });
    }

    @Test
    void aRunOnSamplesRecordsEachSampleAndItsPixelsInTheTrainedFile() {
        TrainingRequest request = request("steps=2 lr=1e-3 seed=3");
        ImageFiles.Page first = page(64, 64, 4);
        TrainingData data = TrainingData.fromSamples(List.of(
                new ImageSample("cells", "cells slice 1", "mitosis", first, rectangle(64, 64, 0, 0, 32, 64),
                        "slice 1 of 2, rectangle 0,0 32x64"),
                new ImageSample("cells", "cells slice 2", "interphase", page(64, 64, 5), null, "slice 2 of 2")),
                request);
        Trainer.Result result = new Trainer(org.diffij.pipelines.Generator.byPath(), null, "test")
                .submit(request, data, null, false, null, null).await();
        assertTrue(result.finished());
        try (SafetensorsFile file = SafetensorsFile.open(result.outputs().get(0))) {
            assertEquals(request.toMacroOptions(), file.metadata().get("diffij.training_request"));
            assertTrue(file.metadata().containsKey("ss_network_dim"), "kohya's keys beside ours");
            assertTrue(file.metadata().get("ss_tag_frequency").contains("\"cells\""),
                    file.metadata().get("ss_tag_frequency"));
            JsonArray samples = JsonParser.parseString(file.metadata().get("diffij.samples")).getAsJsonArray();
            assertEquals(2, samples.size());
            JsonObject one = samples.get(0).getAsJsonObject();
            assertEquals("cells slice 1", one.get("name").getAsString());
            assertEquals("mitosis", one.get("caption").getAsString());
            assertEquals(TrainingImages.pixelHash(first), one.get("sha256").getAsString());
            assertTrue(one.get("masked").getAsBoolean());
            assertEquals("slice 1 of 2, rectangle 0,0 32x64", one.get("geometry").getAsString());
            assertTrue(!samples.get(1).getAsJsonObject().get("masked").getAsBoolean());
        }
    }
}
