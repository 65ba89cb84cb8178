package mmcorej;

/** Stand-in for MMCoreJ's DeviceType (MM::DeviceType, same names and values). */
public enum DeviceType {
   UnknownType, AnyType, CameraDevice, ShutterDevice, StateDevice, StageDevice, XYStageDevice, SerialDevice,
   GenericDevice, AutoFocusDevice, CoreDevice, ImageProcessorDevice, SignalIODevice, MagnifierDevice, SLMDevice,
   HubDevice, GalvoDevice, PressurePumpDevice, VolumetricPumpDevice;

   public final int swigValue() { return ordinal(); }
   public static DeviceType swigToEnum(int v) { return values()[v]; }
}
