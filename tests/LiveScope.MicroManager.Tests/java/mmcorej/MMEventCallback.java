package mmcorej;

/** Stand-in for MMCoreJ's director class: like the real one, callbacks not overridden print to stdout. */
public class MMEventCallback {
   public MMEventCallback() {}
   public void delete() {}
   public void onPropertiesChanged() { System.out.println("onPropertiesChanged()"); }
   public void onPropertyChanged(String name, String propName, String propValue) { System.out.println("onPropertyChanged() " + name + " " + propName + " " + propValue); }
   public void onChannelGroupChanged(String newChannelGroupName) { System.out.println("onChannelGroupChanged() " + newChannelGroupName); }
   public void onConfigGroupChanged(String groupName, String newConfigName) { System.out.println("onConfigGroupChanged() " + groupName + " " + newConfigName); }
   public void onSystemConfigurationLoaded() { System.out.println("onSystemConfigurationLoaded()"); }
   public void onPixelSizeChanged(double newPixelSizeUm) { System.out.println("onPixelSizeChanged() " + newPixelSizeUm); }
   public void onPixelSizeAffineChanged(double v0, double v1, double v2, double v3, double v4, double v5) { System.out.println("onPixelSizeAffineChanged()"); }
   public void onStagePositionChanged(String name, double pos) { System.out.println("onStagePositionChanged() " + name + " " + pos); }
   public void onXYStagePositionChanged(String name, double xpos, double ypos) { System.out.println("onXYStagePositionChanged() " + name); }
   public void onExposureChanged(String name, double newExposure) { System.out.println("onExposureChanged() " + name + " " + newExposure); }
   public void onShutterOpenChanged(String name, boolean open) { System.out.println("onShutterOpenChanged() " + name + " " + open); }
   public void onSLMExposureChanged(String name, double newExposure) { System.out.println("onSLMExposureChanged() " + name); }
   public void onImageSnapped(String cameraLabel) { System.out.println("onImageSnapped() " + cameraLabel); }
   public void onSequenceAcquisitionStarted(String cameraLabel) { System.out.println("onSequenceAcquisitionStarted() " + cameraLabel); }
   public void onSequenceAcquisitionStopped(String cameraLabel) { System.out.println("onSequenceAcquisitionStopped() " + cameraLabel); }
}
