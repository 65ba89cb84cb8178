using LiveScope.MicroManager.Core;
using LiveScope.MicroManager.Jni;

namespace LiveScope.MicroManager.Tests;

/// <summary>
/// The stress test issue 5 asks to keep: both runtimes handle SIGSEGV, and a plain setup dies or hangs at the first
/// NullReferenceException after the JVM starts. Scaled down from the measured 10 000 NREs / 200 000 calls to stay
/// inside the suite's time budget, but all at once: NREs on attached and unattached threads, compacting GCs during
/// JNI calls, Java exception storms, threads attaching and detaching, callbacks both ways (nested and async).
/// </summary>
[Collection(JvmCollection.Name)]
public sealed class JniStressTests(StandInInstallation install)
{
    private const int NresPerWorker = 5_000;
    private const int JniCallsPerWorker = 100_000;
    private const int JavaExceptions = 5_000;
    private const int AttachingThreads = 200;
    private const int EchoCallbacks = 10_000;

    [Fact]
    public void Segv_handler_runs_on_the_alternate_stack_and_other_signals_still_map_to_dotnet_exceptions()
    {
        install.Vm();
        JavaVm.SegvOnAlternateStack.Should().BeTrue("recipe 1: SA_ONSTACK is added to the JVM's SIGSEGV handler after JNI_CreateJavaVM");
        int zero = Environment.ProcessorCount - Environment.ProcessorCount;
        FluentActions.Invoking(() => 1 / zero).Should().Throw<DivideByZeroException>();
        string? nothing = Environment.GetEnvironmentVariable("LIVESCOPE_SURELY_UNSET_" + zero);
        FluentActions.Invoking(() => nothing!.Length).Should().Throw<NullReferenceException>();
    }

    [Fact]
    public async Task Everything_at_once_survives()
    {
        var vm = install.Vm();
        using var core = new MMCore(vm);
        long echoed = 0, asyncEvents = 0;
        core.Events.StagePositionChanged += (_, e) => { if (e.Device == "echo") Interlocked.Increment(ref echoed); };
        core.Events.PropertyChanged += (_, _) => Interlocked.Increment(ref asyncEvents);
        core.LoadDevice("Camera", "DemoCamera", "DCam");
        core.InitializeDevice("Camera");

        using var stop = new CancellationTokenSource();
        var gc = Task.Factory.StartNew(() =>
        {
            int collections = 0;
            while (!stop.IsCancellationRequested)
            {
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                collections++;
                Thread.Sleep(2);
            }
            return collections;
        }, TaskCreationOptions.LongRunning);

        var workers = new List<Task<long>>
        {
            Dedicated(() => NresOnUnattachedThread()),
            Dedicated(() => NresOnAttachedThread(vm)),
            Dedicated(() => JniCallsWithGarbage(vm)),
            Dedicated(() => JniCallsWithGarbage(vm)),
            Dedicated(() => JavaExceptionStorm(vm)),
            Dedicated(() => AttachAndDetach(vm)),
            Dedicated(() => NestedCallbacks(vm, core)),
            Dedicated(() => AsyncCallbacks(core)),
        };
        var results = await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
        stop.Cancel();
        int collectionsDone = await gc;

        results[0].Should().Be(NresPerWorker);
        results[1].Should().Be(NresPerWorker);
        results[2].Should().Be(JniCallsPerWorker);
        results[3].Should().Be(JniCallsPerWorker);
        results[4].Should().Be(JavaExceptions);
        results[5].Should().Be(AttachingThreads);
        results[6].Should().Be(EchoCallbacks);
        Interlocked.Read(ref echoed).Should().Be(EchoCallbacks, "every nested Java→.NET callback arrived");
        collectionsDone.Should().BeGreaterThan(0);
        // Async notifications come on MMCore's notification thread; wait for the last ones.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Interlocked.Read(ref asyncEvents) < results[7] && DateTime.UtcNow < deadline) await Task.Delay(10);
        Interlocked.Read(ref asyncEvents).Should().Be(results[7]);
        vm.IsCurrentThreadAttached.Should().BeFalse("scopes detach the threads they attached");
    }

    private static Task<long> Dedicated(Func<long> work) => Task.Factory.StartNew(work, TaskCreationOptions.LongRunning);

    private static long ThrowAndCatchNre(int seed)
    {
        object?[] holder = [seed % 7 == 100 ? "never" : null];
        try
        {
            return ((string)holder[0]!).Length; // a real SIGSEGV-backed NullReferenceException
        }
        catch (NullReferenceException)
        {
            return 1;
        }
    }

    private static long NresOnUnattachedThread()
    {
        long caught = 0;
        for (int i = 0; i < NresPerWorker; i++) caught += ThrowAndCatchNre(i);
        return caught;
    }

    private static long NresOnAttachedThread(JavaVm vm)
    {
        long caught = 0;
        using var scope = vm.Enter();
        var env = scope.Env;
        var stress = env.FindClass("livescope/standin/Stress");
        var add = env.GetStaticMethodID(stress, "add", "(II)I");
        for (int i = 0; i < NresPerWorker; i++)
        {
            caught += ThrowAndCatchNre(i);
            env.CallStaticInt(stress, add, [JValue.Of(i), JValue.Of(1)], "Stress.add").Should().Be(i + 1);
        }
        return caught;
    }

    private static long JniCallsWithGarbage(JavaVm vm)
    {
        long calls = 0;
        using var scope = vm.Enter();
        var env = scope.Env;
        var stress = env.FindClass("livescope/standin/Stress");
        var add = env.GetStaticMethodID(stress, "add", "(II)I");
        var buffer = new ushort[64];
        for (int i = 0; i < JniCallsPerWorker; i++)
        {
            // Managed garbage while pinned buffers and JNI frames are in flight gives the compacting GC work.
            if (i % 64 == 0) buffer = new ushort[64 + i % 1000];
            int r = env.CallStaticInt(stress, add, [JValue.Of(i), JValue.Of(buffer.Length)], "Stress.add");
            if (r != i + buffer.Length) throw new InvalidOperationException($"wrong result {r}");
            var s = env.NewString("call " + i);
            if (env.GetString(s) != "call " + i) throw new InvalidOperationException("string round trip failed");
            env.DeleteLocalRef(s);
            calls++;
        }
        return calls;
    }

    private static long JavaExceptionStorm(JavaVm vm)
    {
        long caught = 0;
        for (int i = 0; i < JavaExceptions; i++)
        {
            // Every 50 calls a fresh scope, so the storm also runs on a thread that attaches and detaches.
            using var scope = vm.Enter();
            var env = scope.Env;
            var stress = env.FindClass("livescope/standin/Stress");
            var thrower = env.GetStaticMethodID(stress, "throwNullPointer", "(Ljava/lang/String;)V");
            for (int k = 0; k < 50 && i < JavaExceptions; k++, i++)
            {
                try
                {
                    env.CallStaticVoid(stress, thrower, [JValue.Of(env.NewString("storm " + i))], "Stress.throwNullPointer");
                }
                catch (JavaException e) when (e.JavaClass == "java.lang.NullPointerException" && e.JavaMessage == "storm " + i)
                {
                    caught++;
                }
            }
            i--;
        }
        return caught;
    }

    private static long AttachAndDetach(JavaVm vm)
    {
        long done = 0;
        for (int t = 0; t < AttachingThreads; t++)
        {
            var thread = new Thread(() =>
            {
                for (int k = 0; k < 3; k++)
                {
                    using var scope = vm.Enter();
                    if (!vm.IsCurrentThreadAttached) return;
                    ThrowAndCatchNre(k);
                }
                if (!vm.IsCurrentThreadAttached) Interlocked.Increment(ref done);
            });
            thread.Start();
            thread.Join();
        }
        return done;
    }

    private static long NestedCallbacks(JavaVm vm, MMCore core)
    {
        using var scope = vm.Enter();
        var env = scope.Env;
        var stress = env.FindClass("livescope/standin/Stress");
        var echo = env.GetStaticMethodID(stress, "echo", "(Lmmcorej/MMEventCallback;Ljava/lang/String;I)V");
        for (int i = 0; i < EchoCallbacks / 100; i++)
            env.CallStaticVoid(stress, echo, [JValue.Of(core.Bridge), JValue.Of(env.NewString("echo")), JValue.Of(100)], "Stress.echo");
        return EchoCallbacks;
    }

    private static long AsyncCallbacks(MMCore core)
    {
        long sets = 0;
        for (int i = 0; i < 300; i++)
        {
            core.SetProperty("Camera", "Mode", i % 2 == 0 ? "Noise" : "Artificial Waves");
            sets++;
            ThrowAndCatchNre(i);
        }
        return sets;
    }
}
