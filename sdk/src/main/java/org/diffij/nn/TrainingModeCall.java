package org.diffij.nn;

import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import org.diffij.DiffijException;

/**
 * Calls a named TorchScript method with autograd recording. DJL's public {@code IValueUtils.runMethod}
 * always runs under libtorch's inference mode; the native entry point below takes the training flag
 * but is package-private, so it is reached once by reflection (DJL 0.36's
 * {@code PyTorchLibrary.moduleRunMethod(module, method, ivalues, isTrain, separateCudaStream)}).
 */
final class TrainingModeCall {

    private static Object library;
    private static MethodHandle runMethod;
    private static MethodHandle newIValue;
    private static String unavailable;

    static {
        try {
            Class<?> libraryClass = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
            Field instance = libraryClass.getDeclaredField("LIB");
            instance.setAccessible(true);
            library = instance.get(null);
            Method run = libraryClass.getDeclaredMethod("moduleRunMethod", long.class, String.class, long[].class,
                    boolean.class, boolean.class);
            run.setAccessible(true);
            Constructor<IValue> ivalue = IValue.class.getDeclaredConstructor(long.class);
            ivalue.setAccessible(true);
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            runMethod = lookup.unreflect(run);
            newIValue = lookup.unreflectConstructor(ivalue).asType(MethodType.methodType(IValue.class, long.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            unavailable = e.toString();
        }
    }

    private TrainingModeCall() {
    }

    static IValue run(PtSymbolBlock module, String method, IValue... inputs) {
        if (unavailable != null) {
            throw new DiffijException("training needs DJL 0.36's native training-mode call, which this DJL lacks ("
                    + unavailable + "); run with -Ddiffij.kernels=composed");
        }
        long[] handles = new long[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            handles[i] = inputs[i].getHandle();
        }
        try {
            long result = (long) runMethod.invoke(library, module.getHandle().longValue(), method, handles, true,
                    false);
            return (IValue) newIValue.invokeExact(result);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new DiffijException("native kernel '" + method + "' failed in training mode: " + e.getMessage(), e);
        }
    }
}
