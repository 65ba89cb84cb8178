package mmcorej;

import java.io.BufferedReader;
import java.io.FileReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Stand-in for MMCoreJ's CMMCore, for CI where Micro-Manager cannot be installed. Same class name and JNI
 * descriptors as MMCoreJ (SWIG 3) for every call LiveScope makes; behaves like the DemoCamera devices:
 * DCam (512x512, 16-bit, binning 1/2/4/8), DXYStage (0.015 um steps), DStage (exact), DShutter, state devices,
 * DGalvo (paints its spot into DCam images near pixel 20 + x/10*(W-20)), DAutoFocus. Errors are
 * java.lang.Exception with MMCore's wording. Notifications arrive on a notification thread, as in MMCore.
 */
public class CMMCore {
   private static final String CORE = "Core";

   private static final class Device {
      final String label, library, adapter;
      final DeviceType type;
      final LinkedHashMap<String, String> props = new LinkedHashMap<String, String>();
      final HashMap<String, String[]> allowed = new HashMap<String, String[]>();
      final HashMap<Integer, String> stateLabels = new HashMap<Integer, String>();
      String parent = "";
      boolean initialized;
      Device(String label, String library, String adapter, DeviceType type) {
         this.label = label; this.library = library; this.adapter = adapter; this.type = type;
      }
   }

   private final LinkedHashMap<String, Device> devices_ = new LinkedHashMap<String, Device>();
   private final LinkedHashMap<String, LinkedHashMap<String, List<String[]>>> groups_ = new LinkedHashMap<String, LinkedHashMap<String, List<String[]>>>();
   private final LinkedHashMap<String, List<String[]>> pixelConfigs_ = new LinkedHashMap<String, List<String[]>>();
   private final HashMap<String, Double> pixelSizes_ = new HashMap<String, Double>();
   private final HashMap<String, String> roles_ = new HashMap<String, String>();

   // camera state
   private int roiX_, roiY_, roiW_ = -1, roiH_ = -1;
   private Object lastImage_;
   // galvo state (DGalvo)
   private double galvoX_, galvoY_;
   private boolean pointAndFire_, galvoIllumination_;
   private long pfExpiryNanos_;
   // stages
   private double xyX_, xyY_, z_;
   // sequence acquisition
   private final ArrayDeque<Object> buffer_ = new ArrayDeque<Object>();
   private static final int BUFFER_FRAMES = 64;
   private volatile Thread sequence_;
   private volatile boolean stopRequested_;
   private boolean overflowed_;

   private volatile MMEventCallback callback_;
   private final LinkedBlockingQueue<Runnable> notifications_ = new LinkedBlockingQueue<Runnable>();
   private final Thread notifier_;

   public CMMCore() {
      roles_.put("Camera", ""); roles_.put("Shutter", ""); roles_.put("Focus", ""); roles_.put("XYStage", "");
      roles_.put("AutoFocus", ""); roles_.put("Galvo", ""); roles_.put("SLM", ""); roles_.put("ChannelGroup", "");
      roles_.put("AutoShutter", "1");
      notifier_ = new Thread(new Runnable() {
         public void run() {
            try {
               while (true) notifications_.take().run();
            } catch (InterruptedException e) {
               // core deleted
            }
         }
      }, "MMCore notifications");
      notifier_.setDaemon(true);
      notifier_.start();
   }

   public void delete() { unloadAllDevices(); notifier_.interrupt(); }

   // ---- system -----------------------------------------------------------------------------------------------

   public String getVersionInfo() { return "MMCore version 12.5.0 (LiveScope stand-in)"; }
   public String getAPIVersionInfo() { return "Device API version 75, Module API version 10"; }

   public void registerCallback(MMEventCallback cb) { callback_ = cb; }

   private interface Notice { void send(MMEventCallback cb); }

   private void post(final Notice n) {
      final MMEventCallback cb = callback_;
      if (cb == null) return;
      notifications_.add(new Runnable() { public void run() { n.send(cb); } });
   }

   public synchronized void loadSystemConfiguration(String fileName) throws java.lang.Exception {
      BufferedReader r;
      try {
         r = new BufferedReader(new FileReader(fileName));
      } catch (java.io.IOException e) {
         throw new java.lang.Exception("\"" + fileName + "\": Failed to open file");
      }
      int lineNo = 0;
      try {
         String line;
         while ((line = r.readLine()) != null) {
            lineNo++;
            line = line.replace("\r", "");
            if (line.length() == 0 || line.charAt(0) == '#') continue;
            ArrayList<String> t = new ArrayList<String>();
            for (String s : line.split(",")) if (s.length() > 0) t.add(s);
            try {
               apply(t);
            } catch (java.lang.Exception e) {
               unloadAllDevices();
               throw new java.lang.Exception("Line " + lineNo + ": " + line + "\n" + e.getMessage() + "\n\n");
            }
         }
      } catch (java.io.IOException e) {
         throw new java.lang.Exception(e.getMessage());
      } finally {
         try { r.close(); } catch (java.io.IOException e) { /* read already */ }
      }
      if (groups_.containsKey("System") && groups_.get("System").containsKey("Startup")) setConfig("System", "Startup");
      post(new Notice() { public void send(MMEventCallback cb) { cb.onSystemConfigurationLoaded(); } });
   }

   private void apply(ArrayList<String> t) throws java.lang.Exception {
      String kind = t.get(0);
      if (kind.equals("Device") && t.size() == 4) loadDevice(t.get(1), t.get(2), t.get(3));
      else if (kind.equals("Property") && (t.size() == 4 || t.size() == 3)) {
         if (t.get(1).equals(CORE) && t.get(2).equals("Initialize")) {
            if (t.get(3).equals("1")) initializeAllDevices();
         } else setProperty(t.get(1), t.get(2), t.size() == 4 ? t.get(3) : "");
      }
      else if (kind.equals("Parent") && t.size() == 3) setParentLabel(t.get(1), t.get(2));
      else if (kind.equals("Label") && t.size() == 4) device(t.get(1)).stateLabels.put(Integer.parseInt(t.get(2)), t.get(3));
      else if (kind.equals("ConfigGroup") && t.size() == 2) groups_.put(t.get(1), new LinkedHashMap<String, List<String[]>>());
      else if (kind.equals("ConfigGroup") && (t.size() == 6 || t.size() == 5)) {
         if (!groups_.containsKey(t.get(1))) groups_.put(t.get(1), new LinkedHashMap<String, List<String[]>>());
         LinkedHashMap<String, List<String[]>> g = groups_.get(t.get(1));
         if (!g.containsKey(t.get(2))) g.put(t.get(2), new ArrayList<String[]>());
         g.get(t.get(2)).add(new String[] { t.get(3), t.get(4), t.size() == 6 ? t.get(5) : "" });
      }
      else if (kind.equals("ConfigPixelSize") && t.size() == 5) {
         if (!pixelConfigs_.containsKey(t.get(1))) pixelConfigs_.put(t.get(1), new ArrayList<String[]>());
         pixelConfigs_.get(t.get(1)).add(new String[] { t.get(2), t.get(3), t.get(4) });
      }
      else if (kind.equals("PixelSize_um") && t.size() == 3) pixelSizes_.put(t.get(1), Double.parseDouble(t.get(2)));
      else if (kind.equals("FocusDirection") || kind.equals("Delay") || kind.equals("PixelSizeAffine")) { /* accepted */ }
      else throw new java.lang.Exception("Invalid configuration file line encountered");
   }

   private void initializeAllDevices() throws java.lang.Exception {
      for (Device d : devices_.values()) if (!d.initialized) initializeDevice(d.label);
   }

   public synchronized void loadDevice(String label, String library, String adapter) throws java.lang.Exception {
      if (devices_.containsKey(label)) throw new java.lang.Exception("The specified device label " + label + " is already in use");
      DeviceType type = typeOf(library, adapter);
      if (type == null) throw new java.lang.Exception("No device named " + adapter + " in module " + library);
      Device d = new Device(label, library, adapter, type);
      // DeviceType is a typesafe enum class in MMCoreJ (SWIG 3), so no switch.
      if (type == DeviceType.CameraDevice) {
         prop(d, "Exposure", "10.0000", null);
         prop(d, "Binning", "1", new String[] { "1", "2", "4", "8" });
         prop(d, "PixelType", "16bit", new String[] { "8bit", "16bit", "32bitRGB" });
         prop(d, "BitDepth", "16", new String[] { "8", "10", "12", "14", "16" });
         prop(d, "Mode", "Artificial Waves", new String[] { "Artificial Waves", "Noise" });
         prop(d, "ScanMode", "1", null);
         prop(d, "MaximumExposureMs", "10000.0", null);
         prop(d, "OnCameraCCDXSize", "512", null);
         prop(d, "OnCameraCCDYSize", "512", null);
      } else if (type == DeviceType.ShutterDevice) {
         prop(d, "State", "0", new String[] { "0", "1" });
      } else if (type == DeviceType.StateDevice) {
         prop(d, "State", "0", null); prop(d, "Label", "", null);
         prop(d, "Number of positions", adapter.equals("DObjective") ? "6" : adapter.equals("DLightPath") ? "3" : "10", null);
      } else if (type == DeviceType.StageDevice) {
         prop(d, "Position", "0.0000", null);
      } else if (type == DeviceType.GalvoDevice) {
         prop(d, "Power", "0", null);
      }
      if (adapter.equals("State Device Shutter")) prop(d, "State Device", "", null);
      devices_.put(label, d);
   }

   private static void prop(Device d, String name, String value, String[] allowed) {
      d.props.put(name, value);
      if (allowed != null) d.allowed.put(name, allowed);
   }

   private static DeviceType typeOf(String library, String adapter) {
      if (library.equals("Utilities") && adapter.equals("State Device Shutter")) return DeviceType.ShutterDevice;
      if (!library.equals("DemoCamera")) return null;
      if (adapter.equals("DCam")) return DeviceType.CameraDevice;
      if (adapter.equals("DXYStage")) return DeviceType.XYStageDevice;
      if (adapter.equals("DStage")) return DeviceType.StageDevice;
      if (adapter.equals("DShutter")) return DeviceType.ShutterDevice;
      if (adapter.equals("DWheel") || adapter.equals("DObjective") || adapter.equals("DStateDevice") || adapter.equals("DLightPath")) return DeviceType.StateDevice;
      if (adapter.equals("DAutoFocus")) return DeviceType.AutoFocusDevice;
      if (adapter.equals("DHub")) return DeviceType.HubDevice;
      if (adapter.equals("DGalvo")) return DeviceType.GalvoDevice;
      return null;
   }

   public synchronized void setParentLabel(String label, String parent) throws java.lang.Exception { device(label).parent = parent; }
   public synchronized String getParentLabel(String label) throws java.lang.Exception { return device(label).parent; }
   public synchronized void initializeDevice(String label) throws java.lang.Exception { device(label).initialized = true; }

   public synchronized void unloadAllDevices() {
      stopSequenceInternal();
      devices_.clear(); groups_.clear(); pixelConfigs_.clear(); pixelSizes_.clear();
      for (String k : roles_.keySet()) if (!k.equals("AutoShutter")) roles_.put(k, "");
   }

   public void waitForDevice(String label) throws java.lang.Exception { device(label); }
   public void waitForConfig(String group, String preset) throws java.lang.Exception { preset(group, preset); }
   public void waitForSystem() {}

   private Device device(String label) throws java.lang.Exception {
      Device d = label == null ? null : devices_.get(label);
      if (d == null) throw new java.lang.Exception("No device with label \"" + label + "\"");
      return d;
   }

   private Device device(String label, DeviceType type) throws java.lang.Exception {
      Device d = device(label);
      if (d.type != type) throw new java.lang.Exception("Device \"" + label + "\" is not of the correct type (expected " + type + ")");
      return d;
   }

   // ---- devices and properties -------------------------------------------------------------------------------

   public synchronized StrVector getLoadedDevices() {
      StrVector v = new StrVector();
      for (String k : devices_.keySet()) v.add(k);
      v.add(CORE);
      return v;
   }

   public synchronized DeviceType getDeviceType(String label) throws java.lang.Exception {
      if (CORE.equals(label)) return DeviceType.CoreDevice;
      return device(label).type;
   }
   public synchronized String getDeviceLibrary(String label) throws java.lang.Exception { return device(label).library; }
   public synchronized String getDeviceName(String label) throws java.lang.Exception { return device(label).adapter; }
   public synchronized String getDeviceDescription(String label) throws java.lang.Exception { return "Demo " + device(label).adapter; }

   public synchronized StrVector getDevicePropertyNames(String label) throws java.lang.Exception {
      StrVector v = new StrVector();
      for (String k : device(label).props.keySet()) v.add(k);
      return v;
   }

   public synchronized boolean hasProperty(String label, String propName) throws java.lang.Exception {
      return device(label).props.containsKey(propName);
   }

   public synchronized String getProperty(String label, String propName) throws java.lang.Exception {
      if (CORE.equals(label)) {
         if (!roles_.containsKey(propName)) throw new java.lang.Exception("Property \"" + propName + "\" is not defined for device \"Core\"");
         return roles_.get(propName);
      }
      Device d = device(label);
      if (d.type == DeviceType.StateDevice && propName.equals("Label")) {
         String l = d.stateLabels.get(Integer.parseInt(d.props.get("State")));
         return l == null ? "" : l;
      }
      String v = d.props.get(propName);
      if (v == null) throw new java.lang.Exception("Property \"" + propName + "\" is not defined for device \"" + label + "\"");
      return v;
   }

   public synchronized StrVector getAllowedPropertyValues(String label, String propName) throws java.lang.Exception {
      StrVector v = new StrVector();
      String[] a = device(label).allowed.get(propName);
      if (a != null) for (String s : a) v.add(s);
      return v;
   }

   public synchronized boolean isPropertyReadOnly(String label, String propName) throws java.lang.Exception {
      return propName.startsWith("OnCamera");
   }

   public void setProperty(String label, String propName, String propValue) throws java.lang.Exception {
      synchronized (this) { setPropertyLocked(label, propName, propValue); }
      final String l = label, p = propName, v = propValue;
      post(new Notice() { public void send(MMEventCallback cb) { cb.onPropertyChanged(l, p, v); } });
   }

   private void setPropertyLocked(String label, String propName, String value) throws java.lang.Exception {
      if (CORE.equals(label)) {
         if (!roles_.containsKey(propName)) throw new java.lang.Exception("Property \"" + propName + "\" is not defined for device \"Core\"");
         if (value.length() > 0 && !propName.equals("AutoShutter") && !propName.equals("ChannelGroup")) device(value);
         roles_.put(propName, value);
         return;
      }
      Device d = device(label);
      if (d.type == DeviceType.StateDevice && propName.equals("Label")) {
         for (Map.Entry<Integer, String> e : d.stateLabels.entrySet())
            if (e.getValue().equals(value)) { d.props.put("State", Integer.toString(e.getKey())); return; }
         throw new java.lang.Exception("Label \"" + value + "\" is not defined for device \"" + label + "\"");
      }
      if (!d.props.containsKey(propName)) throw new java.lang.Exception("Property \"" + propName + "\" is not defined for device \"" + label + "\"");
      String[] allowed = d.allowed.get(propName);
      if (allowed != null) {
         boolean ok = false;
         for (String a : allowed) ok |= a.equals(value);
         if (!ok) throw new java.lang.Exception("Property value \"" + value + "\" is not valid for property \"" + propName + "\" of device \"" + label + "\"");
      }
      d.props.put(propName, value);
      if (d.type == DeviceType.CameraDevice && propName.equals("Binning")) { roiW_ = -1; }
   }

   public void setProperty(String label, String propName, boolean v) throws java.lang.Exception { setProperty(label, propName, v ? "1" : "0"); }
   public void setProperty(String label, String propName, int v) throws java.lang.Exception { setProperty(label, propName, Integer.toString(v)); }
   public void setProperty(String label, String propName, float v) throws java.lang.Exception { setProperty(label, propName, Float.toString(v)); }
   public void setProperty(String label, String propName, double v) throws java.lang.Exception { setProperty(label, propName, Double.toString(v)); }

   // ---- roles --------------------------------------------------------------------------------------------------

   public synchronized String getCameraDevice() { return roles_.get("Camera"); }
   public synchronized String getShutterDevice() { return roles_.get("Shutter"); }
   public synchronized String getFocusDevice() { return roles_.get("Focus"); }
   public synchronized String getXYStageDevice() { return roles_.get("XYStage"); }
   public synchronized String getAutoFocusDevice() { return roles_.get("AutoFocus"); }
   public synchronized String getGalvoDevice() { return roles_.get("Galvo"); }
   public synchronized String getSLMDevice() { return roles_.get("SLM"); }
   public synchronized String getChannelGroup() { return roles_.get("ChannelGroup"); }
   public void setCameraDevice(String l) throws java.lang.Exception { setRole("Camera", l, DeviceType.CameraDevice); }
   public void setShutterDevice(String l) throws java.lang.Exception { setRole("Shutter", l, DeviceType.ShutterDevice); }
   public void setFocusDevice(String l) throws java.lang.Exception { setRole("Focus", l, DeviceType.StageDevice); }
   public void setXYStageDevice(String l) throws java.lang.Exception { setRole("XYStage", l, DeviceType.XYStageDevice); }
   public void setAutoFocusDevice(String l) throws java.lang.Exception { setRole("AutoFocus", l, DeviceType.AutoFocusDevice); }
   public void setGalvoDevice(String l) throws java.lang.Exception { setRole("Galvo", l, DeviceType.GalvoDevice); }
   public void setSLMDevice(String l) throws java.lang.Exception { setRole("SLM", l, DeviceType.SLMDevice); }

   private synchronized void setRole(String role, String label, DeviceType type) throws java.lang.Exception {
      if (label.length() > 0) device(label, type);
      roles_.put(role, label);
   }

   // ---- configuration groups and pixel sizes ---------------------------------------------------------------------

   public synchronized StrVector getAvailableConfigGroups() {
      StrVector v = new StrVector();
      for (String k : groups_.keySet()) v.add(k);
      return v;
   }

   public synchronized StrVector getAvailableConfigs(String group) {
      StrVector v = new StrVector();
      if (groups_.containsKey(group)) for (String k : groups_.get(group).keySet()) v.add(k);
      return v;
   }

   private List<String[]> preset(String group, String preset) throws java.lang.Exception {
      if (!groups_.containsKey(group)) throw new java.lang.Exception("Group name \"" + group + "\" is not defined");
      List<String[]> p = groups_.get(group).get(preset);
      if (p == null) throw new java.lang.Exception("Preset \"" + preset + "\" is not defined in group \"" + group + "\"");
      return p;
   }

   public void setConfig(String group, String presetName) throws java.lang.Exception {
      List<String[]> settings;
      synchronized (this) { settings = preset(group, presetName); }
      for (String[] s : settings) setProperty(s[0], s[1], s[2]);
      final String g = group, p = presetName;
      post(new Notice() { public void send(MMEventCallback cb) { cb.onConfigGroupChanged(g, p); } });
   }

   private boolean matches(List<String[]> settings) throws java.lang.Exception {
      for (String[] s : settings) if (!getProperty(s[0], s[1]).equals(s[2])) return false;
      return true;
   }

   public synchronized String getCurrentConfig(String group) throws java.lang.Exception {
      if (!groups_.containsKey(group)) throw new java.lang.Exception("Group name \"" + group + "\" is not defined");
      for (Map.Entry<String, List<String[]>> e : groups_.get(group).entrySet()) if (matches(e.getValue())) return e.getKey();
      return "";
   }

   public synchronized StrVector getAvailablePixelSizeConfigs() {
      StrVector v = new StrVector();
      for (String k : pixelConfigs_.keySet()) v.add(k);
      return v;
   }

   public synchronized String getCurrentPixelSizeConfig() throws java.lang.Exception {
      for (Map.Entry<String, List<String[]>> e : pixelConfigs_.entrySet()) if (matches(e.getValue())) return e.getKey();
      return "";
   }

   public synchronized double getPixelSizeUmByID(String id) throws java.lang.Exception {
      Double v = pixelSizes_.get(id);
      if (v == null) throw new java.lang.Exception("Pixel size configuration \"" + id + "\" is not defined");
      return v;
   }

   public synchronized double getPixelSizeUm() {
      try {
         String id = getCurrentPixelSizeConfig();
         if (id.length() == 0) return 0.0;
         return pixelSizes_.get(id) * binning();
      } catch (java.lang.Exception e) {
         return 0.0;
      }
   }

   // ---- camera ---------------------------------------------------------------------------------------------------

   private Device camera() throws java.lang.Exception {
      String c = roles_.get("Camera");
      if (c.length() == 0) throw new java.lang.Exception("Camera not loaded or initialized.");
      return device(c, DeviceType.CameraDevice);
   }

   private int binning() throws java.lang.Exception { return Integer.parseInt(camera().props.get("Binning")); }

   public void setExposure(double exp) throws java.lang.Exception { setExposure(getCameraDevice(), exp); }
   public void setExposure(String label, double exp) throws java.lang.Exception {
      synchronized (this) { device(label, DeviceType.CameraDevice).props.put("Exposure", Double.toString(exp)); }
      final String l = label; final double e = exp;
      post(new Notice() { public void send(MMEventCallback cb) { cb.onExposureChanged(l, e); } });
   }
   public synchronized double getExposure() throws java.lang.Exception { return Double.parseDouble(camera().props.get("Exposure")); }
   public synchronized double getExposure(String label) throws java.lang.Exception {
      return Double.parseDouble(device(label, DeviceType.CameraDevice).props.get("Exposure"));
   }

   public synchronized void setROI(int x, int y, int xSize, int ySize) throws java.lang.Exception { setROI(getCameraDevice(), x, y, xSize, ySize); }
   public synchronized void setROI(String label, int x, int y, int xSize, int ySize) throws java.lang.Exception {
      device(label, DeviceType.CameraDevice);
      int full = 512 / binning();
      if (x < 0 || y < 0 || xSize <= 0 || ySize <= 0 || x + xSize > full || y + ySize > full)
         throw new java.lang.Exception("Error in the device \"" + label + "\": Invalid ROI (Error code: 11)");
      roiX_ = x; roiY_ = y; roiW_ = xSize; roiH_ = ySize;
   }
   public synchronized void clearROI() throws java.lang.Exception { camera(); roiW_ = -1; }
   public synchronized void getROI(int[] x, int[] y, int[] xSize, int[] ySize) throws java.lang.Exception {
      x[0] = roiW_ < 0 ? 0 : roiX_; y[0] = roiW_ < 0 ? 0 : roiY_;
      xSize[0] = (int) getImageWidth(); ySize[0] = (int) getImageHeight();
   }

   public synchronized long getImageWidth() { try { return roiW_ > 0 ? roiW_ : 512 / binning(); } catch (java.lang.Exception e) { return 0; } }
   public synchronized long getImageHeight() { try { return roiW_ > 0 ? roiH_ : 512 / binning(); } catch (java.lang.Exception e) { return 0; } }
   public synchronized long getBytesPerPixel() {
      try {
         String t = camera().props.get("PixelType");
         return t.equals("8bit") ? 1 : t.equals("32bitRGB") ? 4 : 2;
      } catch (java.lang.Exception e) { return 0; }
   }
   public synchronized long getImageBitDepth() {
      try { return getBytesPerPixel() == 1 ? 8 : Long.parseLong(camera().props.get("BitDepth")); } catch (java.lang.Exception e) { return 0; }
   }
   public synchronized long getNumberOfComponents() { return getBytesPerPixel() == 4 ? 4 : 1; }
   public synchronized long getNumberOfCameraChannels() { return 1; }
   public synchronized int getImageBufferSize() { return (int) (getImageWidth() * getImageHeight() * getBytesPerPixel()); }

   public void snapImage() throws java.lang.Exception {
      double exposure;
      String cam;
      synchronized (this) {
         if (sequence_ != null) throw new java.lang.Exception("Camera is busy with a sequence acquisition");
         cam = camera().label;
         exposure = getExposure();
      }
      sleepMs(exposure);
      synchronized (this) { lastImage_ = makeImage(); }
      final String c = cam;
      post(new Notice() { public void send(MMEventCallback cb) { cb.onImageSnapped(c); } });
   }

   public synchronized Object getImage() throws java.lang.Exception {
      if (lastImage_ == null) throw new java.lang.Exception("Image not available");
      return copy(lastImage_);
   }
   public synchronized Object getImage(long channel) throws java.lang.Exception { return getImage(); }

   private static Object copy(Object image) {
      if (image instanceof short[]) return ((short[]) image).clone();
      return ((byte[]) image).clone();
   }

   private static void sleepMs(double ms) {
      try { Thread.sleep((long) ms, (int) ((ms - Math.floor(ms)) * 1e6)); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
   }

   private double[] background_;
   private int backgroundSide_;
   private long noiseState_ = 42;

   /** A still 'Artificial Waves' pattern (computed once per binning), seeded noise and the galvo spot (DGalvo::ChangePixels). */
   private Object makeImage() throws java.lang.Exception {
      int w = (int) getImageWidth(), h = (int) getImageHeight(), bin = binning();
      int x0 = roiW_ > 0 ? roiX_ : 0, y0 = roiW_ > 0 ? roiY_ : 0;
      int full = 512 / bin;
      if (background_ == null || backgroundSide_ != full) {
         background_ = new double[full * full];
         for (int y = 0; y < full; y++)
            for (int x = 0; x < full; x++) background_[y * full + x] = 400 + 150 * Math.sin(x * 0.05) * Math.cos(y * 0.04);
         backgroundSide_ = full;
      }
      boolean spot = pointAndFire_ || galvoIllumination_;
      double sx = 20 + galvoX_ / 10.0 * (full - 20) + 5, sy = 15 + galvoY_ / 10.0 * (full - 15) + 5;
      int bpp = (int) getBytesPerPixel();
      short[] px16 = bpp == 2 ? new short[w * h] : null;
      byte[] px8 = bpp == 1 ? new byte[w * h] : bpp == 4 ? new byte[w * h * 4] : null;
      long r = noiseState_;
      for (int y = 0; y < h; y++) {
         for (int x = 0; x < w; x++) {
            int fx = x + x0, fy = y + y0;
            r ^= r << 13; r ^= r >>> 7; r ^= r << 17; // xorshift: cheap seeded noise of ±4 counts
            double v = background_[fy * full + fx] + ((r & 7) - 3.5);
            if (spot && Math.abs(fx - sx) < 8 && Math.abs(fy - sy) < 8) {
               double dx = fx - sx, dy = fy - sy;
               v += 1230 * Math.exp(-(dx * dx + dy * dy) / (2 * 1.5 * 1.5));
            }
            int i = y * w + x;
            if (px16 != null) px16[i] = (short) Math.min(65535, Math.max(0, (int) v));
            else if (bpp == 1) px8[i] = (byte) Math.min(255, Math.max(0, (int) (v / 16)));
            else { byte g = (byte) Math.min(255, Math.max(0, (int) (v / 16))); px8[4 * i] = g; px8[4 * i + 1] = g; px8[4 * i + 2] = g; px8[4 * i + 3] = 0; }
         }
      }
      noiseState_ = r;
      if (pointAndFire_ && System.nanoTime() > pfExpiryNanos_) pointAndFire_ = false;
      return px16 != null ? px16 : px8;
   }

   // ---- sequence acquisition -------------------------------------------------------------------------------------

   public void startContinuousSequenceAcquisition(double intervalMs) throws java.lang.Exception { startSequence(camera().label, Integer.MAX_VALUE, true); }
   public void startSequenceAcquisition(int numImages, double intervalMs, boolean stopOnOverflow) throws java.lang.Exception {
      startSequence(camera().label, numImages, stopOnOverflow);
   }
   public void startSequenceAcquisition(String label, int numImages, double intervalMs, boolean stopOnOverflow) throws java.lang.Exception {
      startSequence(label, numImages, stopOnOverflow);
   }

   private synchronized void startSequence(final String label, final int count, final boolean stopOnOverflow) throws java.lang.Exception {
      device(label, DeviceType.CameraDevice);
      if (sequence_ != null) throw new java.lang.Exception("Sequence acquisition is already running on camera \"" + label + "\"");
      buffer_.clear();
      overflowed_ = false;
      stopRequested_ = false;
      final double exposure = getExposure(label);
      Thread t = new Thread(new Runnable() {
         public void run() {
            try {
               for (int i = 0; i < count && !stopRequested_; i++) {
                  sleepMs(exposure);
                  synchronized (CMMCore.this) {
                     if (buffer_.size() >= BUFFER_FRAMES) {
                        overflowed_ = true;
                        if (stopOnOverflow) break;
                        buffer_.poll();
                     }
                     buffer_.add(makeImage());
                  }
               }
            } catch (java.lang.Exception e) {
               // camera unloaded under us: the sequence simply ends
            } finally {
               synchronized (CMMCore.this) { sequence_ = null; }
               post(new Notice() { public void send(MMEventCallback cb) { cb.onSequenceAcquisitionStopped(label); } });
            }
         }
      }, "DCam sequence");
      sequence_ = t;
      t.setDaemon(true);
      t.start();
      post(new Notice() { public void send(MMEventCallback cb) { cb.onSequenceAcquisitionStarted(label); } });
   }

   public void stopSequenceAcquisition() throws java.lang.Exception { stopSequenceInternal(); }
   public void stopSequenceAcquisition(String label) throws java.lang.Exception { device(label); stopSequenceInternal(); }

   private void stopSequenceInternal() {
      Thread t = sequence_;
      stopRequested_ = true;
      if (t != null) {
         try { t.join(5000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
      }
   }

   public synchronized boolean isSequenceRunning() { return sequence_ != null; }
   public synchronized boolean isSequenceRunning(String label) throws java.lang.Exception { device(label); return sequence_ != null; }
   public synchronized int getRemainingImageCount() { return buffer_.size(); }
   public synchronized boolean isBufferOverflowed() { return overflowed_; }

   public synchronized Object popNextImage() throws java.lang.Exception {
      Object o = buffer_.poll();
      if (o == null) throw new java.lang.Exception("Circular buffer is empty.");
      return o;
   }

   public synchronized Object getLastImage() throws java.lang.Exception {
      Object o = buffer_.peekLast();
      if (o == null) throw new java.lang.Exception("Circular buffer is empty.");
      return copy(o);
   }

   // ---- stages ---------------------------------------------------------------------------------------------------

   public void setXYPosition(String label, double x, double y) throws java.lang.Exception {
      synchronized (this) {
         device(label, DeviceType.XYStageDevice);
         // DXYStage moves in whole steps of 0.015 um.
         xyX_ = Math.floor(x / 0.015 + 1e-9) * 0.015;
         xyY_ = Math.floor(y / 0.015 + 1e-9) * 0.015;
      }
      final String l = label; final double px = xyX_, py = xyY_;
      post(new Notice() { public void send(MMEventCallback cb) { cb.onXYStagePositionChanged(l, px, py); } });
   }
   public void setXYPosition(double x, double y) throws java.lang.Exception { setXYPosition(getXYStageDevice(), x, y); }
   public synchronized void getXYPosition(String label, double[] x, double[] y) throws java.lang.Exception {
      device(label, DeviceType.XYStageDevice);
      x[0] = xyX_; y[0] = xyY_;
   }
   public synchronized void getXYPosition(double[] x, double[] y) throws java.lang.Exception { getXYPosition(getXYStageDevice(), x, y); }
   public synchronized double getXPosition(String label) throws java.lang.Exception { device(label, DeviceType.XYStageDevice); return xyX_; }
   public synchronized double getYPosition(String label) throws java.lang.Exception { device(label, DeviceType.XYStageDevice); return xyY_; }

   public void setPosition(String label, double position) throws java.lang.Exception {
      synchronized (this) {
         device(label, DeviceType.StageDevice);
         z_ = position;
         devices_.get(label).props.put("Position", Double.toString(position));
      }
      final String l = label; final double p = position;
      post(new Notice() { public void send(MMEventCallback cb) { cb.onStagePositionChanged(l, p); } });
   }
   public void setPosition(double position) throws java.lang.Exception { setPosition(getFocusDevice(), position); }
   public synchronized double getPosition(String label) throws java.lang.Exception { device(label, DeviceType.StageDevice); return z_; }
   public synchronized double getPosition() throws java.lang.Exception { return getPosition(getFocusDevice()); }
   public synchronized void stop(String label) throws java.lang.Exception { device(label); }
   public synchronized void home(String label) throws java.lang.Exception { device(label); }

   // ---- shutters and autofocus -------------------------------------------------------------------------------------

   public void setShutterOpen(String label, boolean open) throws java.lang.Exception {
      synchronized (this) { device(label, DeviceType.ShutterDevice).props.put("State", open ? "1" : "0"); }
      final String l = label; final boolean o = open;
      post(new Notice() { public void send(MMEventCallback cb) { cb.onShutterOpenChanged(l, o); } });
   }
   public void setShutterOpen(boolean open) throws java.lang.Exception { setShutterOpen(getShutterDevice(), open); }
   public synchronized boolean getShutterOpen(String label) throws java.lang.Exception {
      return device(label, DeviceType.ShutterDevice).props.get("State").equals("1");
   }
   public synchronized boolean getShutterOpen() throws java.lang.Exception { return getShutterOpen(getShutterDevice()); }

   public synchronized void fullFocus() throws java.lang.Exception {
      String af = roles_.get("AutoFocus");
      if (af.length() == 0) throw new java.lang.Exception("Auto-focus device not defined.");
      device(af, DeviceType.AutoFocusDevice);
   }
   public synchronized double getLastFocusScore() { return 1.0; }
   public synchronized double getCurrentFocusScore() { return 1.0; }

   // ---- galvo (DGalvo) ---------------------------------------------------------------------------------------------

   public synchronized void pointGalvoAndFire(String label, double x, double y, double pulseTime_us) throws java.lang.Exception {
      device(label, DeviceType.GalvoDevice);
      galvoX_ = x; galvoY_ = y;
      pfExpiryNanos_ = System.nanoTime() + (long) (pulseTime_us * 1000);
      pointAndFire_ = true;
   }
   public synchronized void setGalvoSpotInterval(String label, double pulseTime_us) throws java.lang.Exception { device(label, DeviceType.GalvoDevice); }
   public synchronized void setGalvoPosition(String label, double x, double y) throws java.lang.Exception { device(label, DeviceType.GalvoDevice); galvoX_ = x; galvoY_ = y; }
   public synchronized void setGalvoIlluminationState(String label, boolean on) throws java.lang.Exception { device(label, DeviceType.GalvoDevice); galvoIllumination_ = on; }
   public synchronized double getGalvoXRange(String label) throws java.lang.Exception { device(label, DeviceType.GalvoDevice); return 10.0; }
   public synchronized double getGalvoYRange(String label) throws java.lang.Exception { device(label, DeviceType.GalvoDevice); return 10.0; }
   public synchronized double getGalvoXMinimum(String label) throws java.lang.Exception { device(label, DeviceType.GalvoDevice); return 0.0; }
   public synchronized double getGalvoYMinimum(String label) throws java.lang.Exception { device(label, DeviceType.GalvoDevice); return 0.0; }

   private final HashMap<Integer, List<double[]>> polygons_ = new HashMap<Integer, List<double[]>>();
   private int polygonRuns_;
   public synchronized void addGalvoPolygonVertex(String label, int polygonIndex, double x, double y) throws java.lang.Exception {
      device(label, DeviceType.GalvoDevice);
      if (!polygons_.containsKey(polygonIndex)) polygons_.put(polygonIndex, new ArrayList<double[]>());
      polygons_.get(polygonIndex).add(new double[] { x, y });
   }
   public synchronized void deleteGalvoPolygons(String label) throws java.lang.Exception { device(label, DeviceType.GalvoDevice); polygons_.clear(); }
   public synchronized void loadGalvoPolygons(String label) throws java.lang.Exception { device(label, DeviceType.GalvoDevice); }
   public synchronized void setGalvoPolygonRepetitions(String label, int repetitions) throws java.lang.Exception { device(label, DeviceType.GalvoDevice); }
   public synchronized void runGalvoPolygons(String label) throws java.lang.Exception {
      device(label, DeviceType.GalvoDevice);
      if (polygons_.isEmpty()) throw new java.lang.Exception("Error in the device \"" + label + "\": no polygons loaded");
      polygonRuns_++;
   }
   /** Not in MMCoreJ: lets tests see what the galvo was asked to draw. */
   public synchronized int standInPolygonVertexCount() {
      int n = 0;
      for (List<double[]> p : polygons_.values()) n += p.size();
      return n;
   }
   public synchronized int standInPolygonRuns() { return polygonRuns_; }
}
