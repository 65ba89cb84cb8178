package livescope.standin;

import mmcorej.MMEventCallback;

/** Test-only helpers for the JNI stress test: Java exceptions on demand and synchronous callbacks into .NET. */
public final class Stress {
   private Stress() {}

   public static int add(int a, int b) { return a + b; }

   public static void throwNullPointer(String message) { throw new NullPointerException(message); }

   /** Calls back into the bridge on the calling thread, n times, while .NET's call into Java is on the stack. */
   public static void echo(MMEventCallback callback, String device, int n) {
      for (int i = 0; i < n; i++) callback.onStagePositionChanged(device, i);
   }
}
