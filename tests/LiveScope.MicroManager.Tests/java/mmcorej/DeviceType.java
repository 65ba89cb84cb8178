package mmcorej;

/** Stand-in for MMCoreJ's DeviceType: like SWIG 3's output, a typesafe enum class (not a Java enum). */
public final class DeviceType {
   public final static DeviceType UnknownType = new DeviceType("UnknownType", 0);
   public final static DeviceType AnyType = new DeviceType("AnyType");
   public final static DeviceType CameraDevice = new DeviceType("CameraDevice");
   public final static DeviceType ShutterDevice = new DeviceType("ShutterDevice");
   public final static DeviceType StateDevice = new DeviceType("StateDevice");
   public final static DeviceType StageDevice = new DeviceType("StageDevice");
   public final static DeviceType XYStageDevice = new DeviceType("XYStageDevice");
   public final static DeviceType SerialDevice = new DeviceType("SerialDevice");
   public final static DeviceType GenericDevice = new DeviceType("GenericDevice");
   public final static DeviceType AutoFocusDevice = new DeviceType("AutoFocusDevice");
   public final static DeviceType CoreDevice = new DeviceType("CoreDevice");
   public final static DeviceType ImageProcessorDevice = new DeviceType("ImageProcessorDevice");
   public final static DeviceType SignalIODevice = new DeviceType("SignalIODevice");
   public final static DeviceType MagnifierDevice = new DeviceType("MagnifierDevice");
   public final static DeviceType SLMDevice = new DeviceType("SLMDevice");
   public final static DeviceType HubDevice = new DeviceType("HubDevice");
   public final static DeviceType GalvoDevice = new DeviceType("GalvoDevice");
   public final static DeviceType PressurePumpDevice = new DeviceType("PressurePumpDevice");
   public final static DeviceType VolumetricPumpDevice = new DeviceType("VolumetricPumpDevice");

   private static DeviceType[] swigValues = { UnknownType, AnyType, CameraDevice, ShutterDevice, StateDevice, StageDevice,
      XYStageDevice, SerialDevice, GenericDevice, AutoFocusDevice, CoreDevice, ImageProcessorDevice, SignalIODevice,
      MagnifierDevice, SLMDevice, HubDevice, GalvoDevice, PressurePumpDevice, VolumetricPumpDevice };
   private static int swigNext = 0;
   private final int swigValue;
   private final String swigName;

   public final int swigValue() { return swigValue; }
   public String toString() { return swigName; }

   public static DeviceType swigToEnum(int swigValue) {
      if (swigValue < swigValues.length && swigValue >= 0 && swigValues[swigValue].swigValue == swigValue) return swigValues[swigValue];
      for (int i = 0; i < swigValues.length; i++) if (swigValues[i].swigValue == swigValue) return swigValues[i];
      throw new IllegalArgumentException("No enum " + DeviceType.class + " with value " + swigValue);
   }

   private DeviceType(String swigName) { this.swigName = swigName; this.swigValue = swigNext++; }
   private DeviceType(String swigName, int swigValue) { this.swigName = swigName; this.swigValue = swigValue; swigNext = swigValue + 1; }
}
