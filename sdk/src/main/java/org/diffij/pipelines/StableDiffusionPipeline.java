package org.diffij.pipelines;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.engine.JobContext;
import org.diffij.engine.Tensors;
import org.diffij.image.RgbImage;
import org.diffij.io.HostTensor;
import org.diffij.models.controlnet.ControlNetModel;
import org.diffij.models.ipadapter.ImagePrompt;
import org.diffij.models.unet.ControlResiduals;
import org.diffij.models.vae.AutoencoderKL;
import org.diffij.nn.AttentionSlicing;
import org.diffij.nn.DecoupledCrossAttention;
import org.diffij.noise.NoiseSource;
import org.diffij.schedulers.Scheduler;
import org.diffij.text.prompt.A1111Prompt;

/**
 * The one denoising loop behind text-to-image, image-to-image, inpainting (latent blending for
 * 4-channel UNets) and ControlNet, for SD 1.x, 2.x and XL, reproducing diffusers' pipelines step for
 * step: the same order of noise draws, classifier-free guidance as {@code [negative, positive]}
 * batches, ControlNet residuals within their step window, IP-Adapter image prompts in the UNet's
 * cross-attention. Runs inside an engine job; each step's
 * arrays live in a scope of their own and cancellation is checked between steps.
 */
public final class StableDiffusionPipeline {

    /** A ControlNet with its control image (RGB at the generation size) and when it acts. */
    public record ControlInput(ControlNetModel model, RgbImage image, float scale, double start, double end) {
    }

    /**
     * What one run needs.
     *
     * @param prompts   the batch's prompts, parsed once for the run's number of steps ({@link #parse})
     * @param latents   the initial latents for text-to-image (null: drawn from {@code noise})
     * @param initImage the image to start from (img2img / inpainting), null for text-to-image
     * @param mask      inpainting mask at image size, row major, 1 = repaint (null: no inpainting)
     * @param clipSkip  diffusers' clip skip (0 = last layer)
     * @param adapters  the request's LoRAs and embeddings ({@link Adapters#none()} for none)
     * @param imagePrompt an IP-Adapter image prompt, or null
     */
    public record Inputs(List<A1111Prompt> prompts, List<A1111Prompt> negatives, int width, int height, int steps,
            double guidance, Scheduler scheduler, NoiseSource noise, int clipSkip, HostTensor latents,
            RgbImage initImage, float[] mask, double strength, List<ControlInput> controls, Adapters adapters,
            ImagePrompt imagePrompt) {
    }

    /** Final latents, the latents after each step, and the decoded images in [0, 1]. */
    public record Output(HostTensor finalLatents, List<HostTensor> stepLatents, List<RgbImage> images) {
    }

    /** Called after every step with the latents (for progress and previews). */
    @FunctionalInterface
    public interface StepListener {
        void afterStep(int done, int total, HostTensor latents);
    }

    private StableDiffusionPipeline() {
    }

    /** The prompts as a run takes them: each parsed for {@code steps} steps. */
    public static List<A1111Prompt> parse(List<String> prompts, int steps) {
        return prompts.stream().map(p -> A1111Prompt.parse(p, steps)).toList();
    }

    /** Runs with the memory plan the memory settings give for this request. */
    public static Output run(JobContext job, StableDiffusionModel model, Inputs in, MemorySettings memory,
            StepListener listener) {
        MemoryPlan plan = MemoryPlan.of(memory, model.vae().config(), in.prompts().size(), in.width(), in.height());
        try (AttentionSlicing.InForce ignored = AttentionSlicing.use(plan.attention())) {
            return new Run(job, model, in, plan).denoise(listener);
        }
    }

    /** The starting point of the loop: the latents, and for inpainting what each step needs besides. */
    private record PreparedLatents(HostTensor latents, HostTensor imageLatents, HostTensor blendNoise,
            NDArray latentMask, NDArray inpaintChannels) {
    }

    /** A ControlNet with its control image as a tensor, doubled for guidance. */
    private record ControlImage(ControlInput input, NDArray image) {
    }

    /** One run: the checked inputs and the state its steps share. */
    private static final class Run {

        private final JobContext job;
        private final StableDiffusionModel model;
        private final Inputs in;
        private final MemoryPlan plan;
        private final NDManager manager;
        private final DataType dtype;
        private final int batch;
        private final long[] latentShape;
        private final boolean inpaintingUnet;
        private final boolean guided;
        private final Scheduler scheduler;
        private final AutoencoderKL vae;
        private final float scaling;

        Run(JobContext job, StableDiffusionModel model, Inputs in, MemoryPlan plan) {
            this.job = job;
            this.model = model;
            this.in = in;
            this.plan = plan;
            this.manager = job.manager();
            this.dtype = job.engine().computeType();
            this.batch = in.prompts().size();
            if (in.negatives().size() != batch) {
                throw new DiffijException("give one negative prompt per prompt (" + batch + " prompts, "
                        + in.negatives().size() + " negatives)");
            }
            int factor = model.vaeScaleFactor();
            if (in.width() % factor != 0 || in.height() % factor != 0) {
                throw new DiffijException("width and height must be multiples of " + factor + " for this model, not "
                        + in.width() + "x" + in.height());
            }
            this.latentShape = new long[] {batch, model.vae().config().latentChannels(), in.height() / factor,
                    in.width() / factor};
            this.inpaintingUnet = model.unet().config().inChannels() == 2 * latentShape[1] + 1;
            if (inpaintingUnet && in.mask() == null) {
                throw new DiffijException("this is an inpainting model (its UNet takes latents, mask and masked "
                        + "image); use it with an init image and a mask");
            }
            if (in.mask() != null && in.initImage() == null) {
                throw new DiffijException("inpainting needs the image to paint into, not only a mask");
            }
            this.guided = in.guidance() > 1;
            this.scheduler = in.scheduler();
            this.vae = model.vae();
            this.scaling = vae.config().scalingFactor();
        }

        /** The whole loop: text conditioning, starting latents, control stack, the steps, the decode. */
        Output denoise(StepListener listener) {
            PromptConditioning text = PromptConditioning.encode(manager, model, in.adapters(), in.prompts(),
                    in.negatives(), in.clipSkip(), guided, in.width(), in.height());
            scheduler.setTimesteps(in.steps(), in.initImage() == null ? 1.0 : in.strength());
            PreparedLatents prepared = prepareLatents();
            List<ControlImage> controls = controlStack();
            // The image prompt is encoded once; its keys and values serve every step (the UNet only, as in diffusers).
            Map<String, List<DecoupledCrossAttention.Branch>> imagePrompt = in.imagePrompt() == null ? Map.of()
                    : in.imagePrompt().branches(manager, model.unet().config(), batch, guided);

            double[] timesteps = scheduler.timesteps();
            // Scheduled prompts count user steps over the whole schedule, img2img's skipped steps included;
            // a second-order sampler evaluates the model twice per step after its first.
            int order = scheduler.order();
            int firstStep = in.steps() - (timesteps.length + order - 1) / order;
            HostTensor latents = prepared.latents();
            List<HostTensor> stepLatents = new ArrayList<>();
            for (int i = 0; i < timesteps.length; i++) {
                job.checkCancelled();
                PromptConditioning.Step conditioning = text.at(firstStep + (i + order - 1) / order);
                HostTensor prediction = denoiseStep(i, timesteps, latents, conditioning, prepared, controls,
                        imagePrompt);
                latents = scheduler.step(prediction, latents, in.noise());
                if (prepared.latentMask() != null) {
                    HostTensor known = prepared.imageLatents();
                    if (i < timesteps.length - 1) {
                        known = scheduler.addNoise(prepared.imageLatents(), prepared.blendNoise());
                    }
                    latents = blend(manager, prepared.latentMask(), known, latents, dtype);
                }
                stepLatents.add(latents);
                job.progress(i + 1, timesteps.length, "step " + (i + 1) + "/" + timesteps.length);
                if (listener != null) {
                    listener.afterStep(i + 1, timesteps.length, latents);
                }
            }
            job.checkCancelled();
            return new Output(latents, stepLatents, decode(manager, plan, vae, latents, scaling, dtype));
        }

        /**
         * The latents the loop starts from. The order of encodes and draws follows diffusers'
         * prepare_latents / prepare_mask_latents, so that a seed (or a recorded run) gives the same
         * noise at the same place.
         */
        private PreparedLatents prepareLatents() {
            if (in.initImage() == null) {
                HostTensor start = in.latents() != null ? in.latents() : in.noise().randnTensor(latentShape);
                return new PreparedLatents(scale(start, scheduler.initNoiseSigma()), null, null, null, null);
            }
            NDArray image = imageTensor(manager, in.initImage(), batch, in.width(), in.height(), true, dtype);
            boolean inpaint = in.mask() != null;
            boolean fullStrength = in.strength() >= 1.0;
            HostTensor imageLatents = null;
            if (!inpaint || !inpaintingUnet || !fullStrength) {
                imageLatents = encode(manager, plan, vae, image, in.noise(), scaling);
            }
            HostTensor noise = in.noise().randnTensor(latentShape);
            HostTensor latents = inpaint && fullStrength ? scale(noise, scheduler.initNoiseSigma())
                    : scheduler.addNoise(imageLatents, noise);
            if (!inpaint) {
                return new PreparedLatents(latents, imageLatents, null, null, null);
            }
            NDArray mask = maskTensor(manager, in.mask(), batch, in.width(), in.height());
            NDArray latentMask = nearest(mask, latentShape[2], latentShape[3]);
            NDArray masked = image.mul(mask.lt(0.5f).toType(dtype, false));
            HostTensor maskedLatents = encode(manager, plan, vae, masked, in.noise(), scaling);
            if (!inpaintingUnet) {
                return new PreparedLatents(latents, imageLatents, noise, latentMask, null);
            }
            NDArray extra = NDArrays.concat(new NDList(latentMask.toType(dtype, false),
                    Tensors.toNDArray(manager, maskedLatents, dtype)), 1);
            return new PreparedLatents(latents, imageLatents, null, null,
                    guided ? NDArrays.concat(new NDList(extra, extra), 0) : extra);
        }

        /** The control images as tensors in [0, 1], doubled for guidance. */
        private List<ControlImage> controlStack() {
            List<ControlImage> controls = new ArrayList<>();
            for (ControlInput control : in.controls()) {
                NDArray image = imageTensor(manager, control.image(), batch, in.width(), in.height(), false, dtype);
                controls.add(new ControlImage(control, guided ? NDArrays.concat(new NDList(image, image), 0) : image));
            }
            return controls;
        }

        /** The guided noise prediction of step {@code i}, its arrays in a scope of their own. */
        private HostTensor denoiseStep(int i, double[] timesteps, HostTensor latents,
                PromptConditioning.Step conditioning, PreparedLatents prepared, List<ControlImage> controls,
                Map<String, List<DecoupledCrossAttention.Branch>> imagePrompt) {
            NDArray inpaintChannels = prepared.inpaintChannels();
            try (NDManager step = manager.newSubManager()) {
                conditioning.attachTemporarily(step);
                HostTensor input = scheduler.scaleModelInput(guided ? repeat(latents) : latents);
                NDArray x = Tensors.toNDArray(step, input, dtype);
                if (inpaintChannels != null) {
                    inpaintChannels.tempAttach(step);
                    x = NDArrays.concat(new NDList(x, inpaintChannels), 1);
                }
                NDArray timestep = step.create(new float[] {(float) timesteps[i]}, new Shape(1));
                NDArray controlLatents = latentInput(x, inpaintChannels);
                ControlResiduals residuals = in.adapters().controlNet(() -> controlResiduals(step, i, timesteps.length,
                        controlLatents, timestep, conditioning, controls));
                NDArray unetInput = x;
                NDArray prediction = DecoupledCrossAttention.applying(imagePrompt, () -> in.adapters().unet(
                        () -> model.unet().forward(unetInput, timestep, conditioning.context(), conditioning.added(),
                                residuals)));
                if (guided) {
                    NDList halves = prediction.split(2, 0);
                    NDArray unconditional = halves.get(0);
                    prediction = unconditional.add(halves.get(1).sub(unconditional).mul((float) in.guidance()));
                }
                return Tensors.toHost(prediction);
            }
        }

        /** The summed residuals of the ControlNets, each scaled to 0 outside its step window; null for none. */
        private static ControlResiduals controlResiduals(NDManager step, int i, int steps, NDArray latents,
                NDArray timestep, PromptConditioning.Step conditioning, List<ControlImage> controls) {
            ControlResiduals residuals = null;
            for (ControlImage control : controls) {
                double keep = (double) i / steps < control.input().start()
                        || (double) (i + 1) / steps > control.input().end() ? 0 : 1;
                control.image().tempAttach(step);
                ControlResiduals r = control.input().model().forward(latents, timestep, conditioning.context(),
                        control.image(), (float) (control.input().scale() * keep), conditioning.added());
                residuals = residuals == null ? r : residuals.plus(r);
            }
            return residuals;
        }
    }

    /** ControlNets see the latents only, without an inpainting UNet's mask and masked-image channels. */
    private static NDArray latentInput(NDArray x, NDArray inpaintChannels) {
        if (inpaintChannels == null) {
            return x;
        }
        long channels = x.getShape().get(1) - inpaintChannels.getShape().get(1);
        return x.get(":, :" + channels);
    }

    private static HostTensor scale(HostTensor tensor, double factor) {
        float[] values = tensor.toFloatArray();
        if (factor != 1.0) {
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (values[i] * factor);
            }
        }
        return HostTensor.ofFloats(values, tensor.shape());
    }

    private static HostTensor repeat(HostTensor tensor) {
        float[] values = tensor.toFloatArray();
        float[] twice = new float[2 * values.length];
        System.arraycopy(values, 0, twice, 0, values.length);
        System.arraycopy(values, 0, twice, values.length, values.length);
        long[] shape = tensor.shape();
        shape[0] *= 2;
        return HostTensor.ofFloats(twice, shape);
    }

    /** {@code (batch, 3, H, W)}: in [-1, 1] for the VAE, or in [0, 1] for ControlNet conditioning. */
    private static NDArray imageTensor(NDManager manager, RgbImage image, int batch, int width, int height,
            boolean signed, DataType dtype) {
        if (image.width() != width || image.height() != height) {
            throw new DiffijException("the image is " + image.width() + "x" + image.height() + " but the generation is "
                    + width + "x" + height + "; resize it to the generation size first");
        }
        int plane = width * height;
        float[] chw = new float[3 * plane * batch];
        float[] rgb = image.rgb();
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                float v = rgb[3 * p + c];
                chw[c * plane + p] = signed ? 2 * v - 1 : v;
            }
        }
        for (int b = 1; b < batch; b++) {
            System.arraycopy(chw, 0, chw, b * 3 * plane, 3 * plane);
        }
        NDArray array = manager.create(chw, new Shape(batch, 3, height, width));
        return dtype == DataType.FLOAT32 ? array : array.toType(dtype, false);
    }

    /** The mask binarised at 0.5, {@code (batch, 1, H, W)}. */
    private static NDArray maskTensor(NDManager manager, float[] mask, int batch, int width, int height) {
        if (mask.length != width * height) {
            throw new DiffijException("the mask has " + mask.length + " pixels but the image " + width + "x" + height
                    + " has " + width * height + "; give a mask of the image's size");
        }
        float[] values = new float[batch * mask.length];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < mask.length; i++) {
                values[b * mask.length + i] = mask[i] >= 0.5f ? 1f : 0f;
            }
        }
        return manager.create(values, new Shape(batch, 1, height, width));
    }

    /** torch's nearest interpolation: output pixel i takes input pixel floor(i * in / out). */
    private static NDArray nearest(NDArray mask, long outHeight, long outWidth) {
        long[] s = mask.getShape().getShape();
        float[] in = mask.toFloatArray();
        float[] out = new float[(int) (s[0] * outHeight * outWidth)];
        for (int b = 0; b < s[0]; b++) {
            for (int y = 0; y < outHeight; y++) {
                long sy = y * s[2] / outHeight;
                for (int x = 0; x < outWidth; x++) {
                    long sx = x * s[3] / outWidth;
                    out[(int) ((b * outHeight + y) * outWidth + x)] = in[(int) ((b * s[2] + sy) * s[3] + sx)];
                }
            }
        }
        return mask.getManager().create(out, new Shape(s[0], 1, outHeight, outWidth));
    }

    /** VAE latents of an image, sampled with the next draw of the noise source and scaled. */
    private static HostTensor encode(NDManager manager, MemoryPlan plan, AutoencoderKL vae, NDArray image,
            NoiseSource noise, float scaling) {
        try (NDManager scope = manager.newSubManager()) {
            image.tempAttach(scope);
            var distribution = plan.encode(vae, image);
            long[] shape = distribution.mean().getShape().getShape();
            NDArray draw = Tensors.toNDArray(scope, noise.randnTensor(shape), distribution.mean().getDataType());
            float shift = vae.config().shiftFactor();
            return Tensors.toHost(distribution.sample(draw).sub(shift).mul(scaling));
        }
    }

    private static HostTensor blend(NDManager manager, NDArray mask, HostTensor known, HostTensor generated,
            DataType dtype) {
        try (NDManager scope = manager.newSubManager()) {
            mask.tempAttach(scope);
            NDArray k = Tensors.toNDArray(scope, known, dtype);
            NDArray g = Tensors.toNDArray(scope, generated, dtype);
            NDArray m = mask.toType(dtype, false);
            return Tensors.toHost(m.neg().add(1).mul(k).add(m.mul(g)));
        }
    }

    private static List<RgbImage> decode(NDManager manager, MemoryPlan plan, AutoencoderKL vae, HostTensor latents,
            float scaling, DataType dtype) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray z = Tensors.toNDArray(scope, latents, dtype).div(scaling).add(vae.config().shiftFactor());
            NDArray image = plan.decode(vae, z).div(2).add(0.5f).clip(0, 1).transpose(0, 2, 3, 1);
            long[] s = image.getShape().getShape();
            float[] values = Tensors.toHost(image).toFloatArray();
            int size = (int) (s[1] * s[2] * s[3]);
            List<RgbImage> images = new ArrayList<>();
            for (int b = 0; b < s[0]; b++) {
                float[] one = new float[size];
                System.arraycopy(values, b * size, one, 0, size);
                images.add(new RgbImage((int) s[2], (int) s[1], one));
            }
            return images;
        }
    }
}
