// Loaded once by mocha (see .mocharc.json): chai plugins, and a sinon sandbox restored after each spec.
import * as chai from 'chai';
import chaiAsPromised from 'chai-as-promised';
import sinon from 'sinon';
import sinonChai from 'sinon-chai';

chai.use(sinonChai);
chai.use(chaiAsPromised);

export const mochaHooks = {
  afterEach(): void {
    // Restores stubs, spies and any fake clock created through the default sandbox.
    sinon.restore();
  },
};
