package org.diffij.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.image.PngFiles;
import org.diffij.models.hypernetwork.Hypernetwork;
import org.diffij.models.hypernetwork.HypernetworkActivation;
import org.diffij.models.hypernetwork.HypernetworkConfig;
import org.diffij.models.hypernetwork.HypernetworkFile;
import org.diffij.parity.Golden;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.Generator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hypernetwork training on the shared trainer (tiny-sd15): the options, the saved files, resume, the effect. */
class HypernetworkTrainingTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path data;

    @BeforeAll
    static void images() throws IOException {
        model = Golden.manifest().modelPath("tiny-sd15");
        data = Files.createDirectories(dir.resolve("data"));
        TrainerTest.colourImages(data, "image", 2, 5, 0.7f, 0.1f);
    }

    private static TrainingRequest request(String extra, Path output) {
        return TrainingRequest.fromMacroOptions("method=hypernetwork model=[" + model + "] data=[" + data
                + "] output=[" + output + "] resolution=64 " + extra);
    }

    /** A file's hypernetwork as plain data (its arrays live only as long as the job that reads them). */
    private record Loaded(Hypernetwork.Provenance provenance, HypernetworkConfig config, List<Integer> sizes,
            Map<String, float[]> values) {
    }

    private static Loaded read(Path file) {
        return DiffijEngine.get().queue().run("read", ctx -> {
            Hypernetwork h = HypernetworkFile.read(file, ctx.manager(), DataType.FLOAT32);
            Map<String, float[]> values = new java.util.LinkedHashMap<>();
            h.parameters().named().forEach((name, value) -> values.put(name, value.toFloatArray()));
            return new Loaded(h.provenance(), h.config(), h.sizes(), values);
        });
    }

    private static float[] generate(Generator generator, GenerationRequest request) {
        return generator.submit(request, source -> null, null).await().images().get(0).rgb();
    }

    @Test
    void theOptionsDescribeA1111sArchitectureAndBadOnesAreRefused() {
        TrainingRequest request = request("layer_structure=1,1.5,1 activation=Swish weight_init=kaimingnormal "
                + "layer_norm=true use_dropout=true dropout_structure=0,0.2,0 sizes=32,64", dir.resolve("o.pt"));
        TrainingRequest.HypernetworkOptions options = request.hypernetwork();
        assertEquals(List.of(32, 64), options.widths());
        assertEquals(HypernetworkActivation.SWISH, options.config().activation());
        assertEquals("KaimingNormal", options.config().weightInitialization());
        assertEquals(List.of(0.0, 0.2, 0.0), options.config().dropoutStructure());
        assertEquals(List.of("a1111"), request.formats(), "A1111's .pt is the default");
        assertEquals(request, TrainingRequest.fromMacroOptions(request.toMacroOptions()));
        for (String bad : List.of("layer_structure=2,2,1", "layer_structure=1,x,1", "activation=glu",
                "weight_init=Uniform", "use_dropout=true dropout_structure=0,1.5,0", "sizes=0", "formats=kohya")) {
            DiffijException e = assertThrows(DiffijException.class, () -> request(bad, dir.resolve("o.pt")), bad);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        assertFalse(TrainingRequest.help("dropout_structure").isEmpty());
        assertFalse(TrainingRequest.help("layer_structure").isEmpty());
    }

    @Test
    void aTrainedHypernetworkIsSavedAsA1111DoesAndChangesGeneration() throws IOException {
        Path prompts = Files.writeString(dir.resolve("prompts.txt"), "a photo of hn --w 64 --h 64 --s 3 --d 5\n");
        Path output = dir.resolve("hn.pt");
        Trainer.Result result = new Trainer(Generator.byPath(), null, "test").submit(request("steps=3 lr=5e-3 template=[a photo of [name]] "
                + "activation=relu formats=a1111,safetensors sample_every=2 sample_prompts=[" + prompts + "]", output),
                null, false, null, null).await();
        assertTrue(result.finished());
        assertEquals(List.of(output, dir.resolve("hn.safetensors")), result.outputs());
        assertEquals(2, result.samples().size(), "samples at step 2 and at the end");
        assertTrue(Files.exists(dir.resolve("hn-step00000002.pt")), "the hypernetwork sampled at step 2");
        assertTrue(PngFiles.readText(result.samples().get(0)).get("parameters").contains("Hypernet: "));

        Loaded pt = read(output);
        Loaded twin = read(dir.resolve("hn.safetensors"));
        assertEquals(List.of(32, 64), pt.sizes(), "auto: the cross-attention width and the block widths");
        assertEquals("hn", pt.provenance().name());
        assertEquals(3, pt.provenance().step());
        assertEquals("tiny-sd15", pt.provenance().sdCheckpointName());
        assertEquals(10, pt.provenance().sdCheckpoint().length());
        assertEquals(pt.provenance(), twin.provenance());
        assertEquals(HypernetworkActivation.RELU, pt.config().activation());
        assertEquals(pt.values().keySet(), twin.values().keySet());
        pt.values().forEach((name, value) -> assertArrayEquals(value, twin.values().get(name), name));

        Generator generator = new Generator(Generator.inFolders(List.of(dir)), null, "test");
        GenerationRequest plain = GenerationRequest.of(model.toString(), "a photo of hn").withSize(64, 64, 1)
                .withSampling("Euler", 3, 7).withSeed(5);
        float[] without = generate(generator, plain);
        float[] with = generate(generator, GenerationRequest.of(model.toString(), "a photo of hn <hypernet:hn:1>")
                .withSize(64, 64, 1).withSampling("Euler", 3, 7).withSeed(5));
        assertFalse(java.util.Arrays.equals(without, with), "the trained hypernetwork changes the image");
        float[] none = generate(generator, GenerationRequest.of(model.toString(), "a photo of hn <hypernet:hn:0>")
                .withSize(64, 64, 1).withSampling("Euler", 3, 7).withSeed(5));
        assertArrayEquals(without, none, "strength 0 is no hypernetwork");
    }

    @Test
    void aResumedRunWithDropoutEqualsTheUninterruptedOne() {
        // The captions must not depend on the output's name ([name]), which differs between the two runs.
        String options = "steps=4 lr=1e-2 template=[a photo of hn] layer_structure=1,2,2,1 use_dropout=true "
                + "dropout_structure=0,0.3,0.3,0 "
                + "sizes=32,64 formats=safetensors seed=9";
        Path straight = dir.resolve("straight.safetensors");
        Trainer.Result whole = TrainerTest.run(request(options, straight), null, -1, new ArrayList<>());
        assertTrue(whole.finished());
        Path split = dir.resolve("split.safetensors");
        Trainer.Result first = TrainerTest.run(request(options, split), null, 2, new ArrayList<>());
        assertFalse(first.finished());
        Trainer.Result second = TrainerTest.run(request(options, split), first.checkpoint(), -1, new ArrayList<>());
        assertTrue(second.finished());
        Loaded a = read(straight);
        Loaded b = read(split);
        assertEquals(a.values().keySet(), b.values().keySet());
        a.values().forEach((name, value) -> assertArrayEquals(value, b.values().get(name), 0f, name));
    }

    @Test
    void preluSlopesLearnAndAnRreluRunResumesToTheUninterruptedOne() {
        Path prelu = dir.resolve("prelu.safetensors");
        assertTrue(TrainerTest.run(request("steps=3 lr=5e-2 template=[a photo of hn] activation=prelu sizes=32 "
                + "formats=safetensors seed=4", prelu), null, -1, new ArrayList<>()).finished());
        Loaded trained = read(prelu);
        assertEquals(HypernetworkActivation.PRELU, trained.config().activation());
        float[] slope = trained.values().get("32.0.linear.1.weight");
        assertEquals(1, slope.length, "one slope per PReLU, as torch's PReLU()");
        assertTrue(slope[0] != 0.25f, "the slope is trained from torch's 0.25, got " + slope[0]);

        // RReLU draws its slopes from the engine's generator while training: a resumed run draws the same.
        String options = "steps=4 lr=1e-2 template=[a photo of hn] activation=rrelu sizes=32,64 formats=safetensors seed=9";
        Path straight = dir.resolve("rrelu-straight.safetensors");
        assertTrue(TrainerTest.run(request(options, straight), null, -1, new ArrayList<>()).finished());
        Path split = dir.resolve("rrelu-split.safetensors");
        Trainer.Result first = TrainerTest.run(request(options, split), null, 2, new ArrayList<>());
        assertTrue(TrainerTest.run(request(options, split), first.checkpoint(), -1, new ArrayList<>()).finished());
        Loaded a = read(straight);
        Loaded b = read(split);
        a.values().forEach((name, value) -> assertArrayEquals(value, b.values().get(name), 0f, name));
    }
}
