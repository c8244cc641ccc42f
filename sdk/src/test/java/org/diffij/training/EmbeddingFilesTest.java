package org.diffij.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.diffij.DiffijException;
import org.diffij.image.PngFiles;
import org.diffij.image.RgbImage;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsFile;
import org.diffij.io.WeightFile;
import org.diffij.parity.Golden;
import org.diffij.pipelines.Generator;
import org.diffij.schedulers.PredictionType;
import org.diffij.text.TextualInversion;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Embeddings written in A1111 safetensors, A1111 .pt and diffusers format load back to the same token rows. */
class EmbeddingFilesTest {

    @TempDir
    static Path dir;
    static Path data;
    static TrainingProvenance provenance;

    @BeforeAll
    static void run() throws IOException {
        data = Files.createDirectories(dir.resolve("data"));
        float[] rgb = new float[64 * 64 * 3];
        Random random = new Random(5);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = random.nextFloat();
        }
        PngFiles.write(data.resolve("image.png"), new RgbImage(64, 64, rgb), Map.of());
        Path model = Files.writeString(dir.resolve("base.safetensors"), "stands for a checkpoint file");
        TrainingRequest request = TrainingRequest.fromMacroOptions("method=ti model=[" + model + "] data=[" + data
                + "] output=[" + dir.resolve("x.safetensors") + "] token=<sks> init_word=cat vectors=2 resolution=64");
        provenance = new TrainingProvenance(request, model, "0123456789abcdef", TrainingProvenance.Family.SD1,
                PredictionType.EPSILON, 7, 10, 1, TrainingData.scan(data, request.dataOptions(), "<sks>", 0), 1.7e9,
                "test", false);
    }

    private static HostTensor vectors(int count, int width, long seed) {
        Random random = new Random(seed);
        float[] values = new float[count * width];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return HostTensor.ofFloats(values, count, width);
    }

    private static void assertRows(HostTensor expected, float[][] rows) {
        long[] shape = expected.shape();
        assertEquals(shape[0], rows.length);
        float[] flat = expected.toFloatArray();
        for (int i = 0; i < rows.length; i++) {
            assertArrayEquals(java.util.Arrays.copyOfRange(flat, i * (int) shape[1], (i + 1) * (int) shape[1]), rows[i],
                    0f, "row " + i);
        }
    }

    @Test
    void everyFormatOfAnSd15EmbeddingLoadsBackToItsRows() {
        HostTensor rows = vectors(2, 32, 1);
        Path output = dir.resolve("sd15-emb.safetensors");
        List<Path> files = EmbeddingFiles.write(List.of(rows), "<sks>", output, List.of("a1111", "a1111_pt",
                "diffusers"), provenance, false);
        assertEquals(List.of(output, dir.resolve("sd15-emb.pt"), dir.resolve(
                "sd15-emb-diffusers/learned_embeds.safetensors")), files);

        TextualInversion a1111 = TextualInversion.load(files.get(0), null);
        assertEquals("sd15-emb", a1111.token(), "A1111 calls an embedding by its file name");
        assertRows(rows, a1111.vectorsByEncoder().get(TextualInversion.SINGLE));
        try (SafetensorsFile file = SafetensorsFile.open(files.get(0))) {
            assertEquals(Set.of("emb_params"), file.names());
            assertEquals("stable-diffusion-v1/textual-inversion", file.metadata().get("modelspec.architecture"));
            assertTrue(file.metadata().get("diffij.training_request").contains("token=<sks>"));
        }

        TextualInversion pt = TextualInversion.load(files.get(1), null);
        assertEquals("sd15-emb", pt.token());
        assertRows(rows, pt.vectorsByEncoder().get(TextualInversion.SINGLE));
        try (WeightFile file = WeightFile.open(files.get(1))) {
            assertEquals(Set.of("string_to_param.*"), file.names());
            Map<String, String> fields = file.metadata();
            assertEquals("\"sd15-emb\"", fields.get("name"));
            assertEquals("7", fields.get("step"));
            assertEquals("\"0123456789\"", fields.get("sd_checkpoint"), "the checkpoint's A1111 short hash");
            assertEquals("\"base\"", fields.get("sd_checkpoint_name"));
            assertEquals("{\"*\": 265}", fields.get("string_to_token"));
            assertTrue(fields.get("diffij.training_request").contains("token=<sks>"), "our request rides along");
        }

        TextualInversion diffusers = TextualInversion.load(files.get(2), null);
        assertEquals("<sks>", diffusers.token(), "diffusers files name their token");
        assertRows(rows, diffusers.vectorsByEncoder().get(TextualInversion.SINGLE));
    }

    @Test
    void everyFormatOfAnSdxlEmbeddingLoadsBackToBothEncodersRows() {
        HostTensor clipL = vectors(2, 32, 2);
        HostTensor clipG = vectors(2, 64, 3);
        Path output = dir.resolve("xl-emb.pt");
        List<Path> files = EmbeddingFiles.write(List.of(clipL, clipG), "<sks>", output, List.of("a1111_pt", "a1111",
                "diffusers"), provenance, false);
        assertEquals(List.of(output, dir.resolve("xl-emb.safetensors"),
                dir.resolve("xl-emb-diffusers/learned_embeds.safetensors"),
                dir.resolve("xl-emb-diffusers/learned_embeds_2.safetensors")), files);
        for (Path file : files.subList(0, 2)) {
            TextualInversion loaded = TextualInversion.load(file, null);
            assertEquals("xl-emb", loaded.token());
            assertRows(clipL, loaded.vectorsByEncoder().get(TextualInversion.CLIP_L));
            assertRows(clipG, loaded.vectorsByEncoder().get(TextualInversion.CLIP_G));
        }
        try (WeightFile pt = WeightFile.open(files.get(0))) {
            assertEquals(Set.of("clip_l", "clip_g"), pt.names());
            assertTrue(pt.metadata().isEmpty(), "A1111's SDXL branch takes every value of the dict for a tensor");
        }
        assertRows(clipL, TextualInversion.load(files.get(2), null).vectorsByEncoder().get(TextualInversion.SINGLE));
        assertRows(clipG, TextualInversion.load(files.get(3), null).vectorsByEncoder().get(TextualInversion.SINGLE));
        assertEquals(List.of(dir.resolve("d.safetensors"), dir.resolve("d_2.safetensors")),
                EmbeddingFiles.files(dir.resolve("d.safetensors"), List.of("diffusers"), true),
                "a first diffusers pair: the output and <name>_2");
    }

    @Test
    void anExistingFileIsNeverReplacedUnlessAsked() throws IOException {
        Path output = dir.resolve("kept.safetensors");
        Path pt = Files.writeString(dir.resolve("kept.pt"), "precious");
        DiffijException refused = assertThrows(DiffijException.class, () -> EmbeddingFiles.write(List.of(vectors(1,
                32, 4)), "<k>", output, List.of("a1111", "a1111_pt"), provenance, false));
        assertTrue(refused.getMessage().contains("kept.pt already exists"), refused.getMessage());
        assertFalse(Files.exists(output), "nothing is written when one of the files exists");
        assertEquals("precious", Files.readString(pt));
        EmbeddingFiles.write(List.of(vectors(1, 32, 4)), "<k>", output, List.of("a1111", "a1111_pt"), provenance,
                true);
        assertEquals(1, TextualInversion.load(pt, null).vectorCount());
    }

    @Test
    void formatsThatWouldShareAFileOrMisnameTheOutputAreRefused() {
        DiffijException twice = assertThrows(DiffijException.class, () -> EmbeddingFiles.files(
                dir.resolve("e.safetensors"), List.of("diffusers", "a1111"), false));
        assertTrue(twice.getMessage().contains("would write e.safetensors twice"), twice.getMessage());
        DiffijException misnamed = assertThrows(DiffijException.class, () -> EmbeddingFiles.files(
                dir.resolve("e.safetensors"), List.of("a1111_pt"), false));
        assertTrue(misnamed.getMessage().contains("name the output e.pt"), misnamed.getMessage());
    }

    @Test
    void aTrainingRunWritesTheSameRowsInEveryFormat() {
        Path model = Golden.manifest().modelPath("tiny-sd15");
        Path output = dir.resolve("trained-emb.pt");
        Trainer.Result result = new Trainer(Generator.byPath(), null, "test").submit(TrainingRequest.fromMacroOptions(
                "method=ti model=[" + model + "] data=[" + data + "] output=[" + output + "] resolution=64 steps=2 "
                + "lr=5e-2 token=<sks> init_word=cat vectors=2 template=[a photo of [name]] "
                + "formats=a1111_pt,a1111,diffusers"), null, false, null, null).await();
        assertEquals(List.of(output, dir.resolve("trained-emb.safetensors"),
                dir.resolve("trained-emb-diffusers/learned_embeds.safetensors")), result.outputs());
        float[][] pt = TextualInversion.load(output, null).vectorsByEncoder().get(TextualInversion.SINGLE);
        assertEquals(2, pt.length);
        for (Path file : result.outputs().subList(1, 3)) {
            float[][] rows = TextualInversion.load(file, null).vectorsByEncoder().get(TextualInversion.SINGLE);
            for (int i = 0; i < pt.length; i++) {
                assertArrayEquals(pt[i], rows[i], 0f, file.getFileName() + " row " + i);
            }
        }
        try (WeightFile file = WeightFile.open(output)) {
            assertEquals("2", file.metadata().get("step"));
        }
    }
}
